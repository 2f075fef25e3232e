// The console's own decisions: after sign-in it loads the signed-in user's signed slice,
// verifies it with the organization's public key, and hands it to rolegate/react, which the
// pages ask what to show and enable. The loader watches the slice (a long poll the server
// answers as soon as a new revision is published), so a role removed by someone else is
// withdrawn from this page within moments, without a reload.
//
// None of this is what protects the organization: the server re-checks every request.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { RolegateProvider } from 'rolegate/react';
import { SnapshotLoader } from 'rolegate';
import wasmUrl from 'rolegate/rolegate.wasm?url';
import { getKeys, sliceUrl } from '../api/organization';

/** How long each watch request is held open by the server. */
const WATCH_SECONDS = 25;
/** How soon a failed pull is tried again. */
const RETRY_MS = 3000;

const LoaderContext = createContext<{ loader: SnapshotLoader | null; setupError: Error | null }>({ loader: null, setupError: null });

export function AccessProvider({ organization, user, children }: { organization: string; user: string; children: ReactNode }) {
  const [loader, setLoader] = useState<SnapshotLoader | null>(null);
  const [setupError, setSetupError] = useState<Error | null>(null);

  useEffect(() => {
    let cancelled = false;
    let started: SnapshotLoader | null = null;
    getKeys(organization).then(
      ({ keys }) => {
        if (cancelled) return;
        started = new SnapshotLoader(sliceUrl(organization, user), {
          trustedKeys: keys.map((k) => ({ id: k.id, publicKey: k.public_key_hex })),
          // A slice, of this user, of this organization, and nothing else.
          sliceOf: user,
          organization,
          watchSeconds: WATCH_SECONDS,
          intervalMs: RETRY_MS,
          // Slices have no deltas: each revision's slice is a few kilobytes.
          deltas: false,
          wasm: wasmUrl,
        });
        setLoader(started);
        void started.start();
      },
      (error: Error) => !cancelled && setSetupError(error),
    );
    return () => {
      cancelled = true;
      started?.stop();
    };
  }, [organization, user]);

  return (
    <LoaderContext.Provider value={{ loader, setupError }}>
      <RolegateProvider source={loader} user={user}>
        {children}
      </RolegateProvider>
    </LoaderContext.Provider>
  );
}

/** The slice loader, for read-your-writes (`waitForRevision`) and setup failures. */
export function useSliceLoader() {
  return useContext(LoaderContext);
}
