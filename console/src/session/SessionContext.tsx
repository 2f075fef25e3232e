// Who is signed in. The session itself lives in an HttpOnly cookie the page cannot read; what
// the page holds is the session's description from GET /v1/session and its CSRF token, which
// goes on every state-changing request.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, SESSION_ENDED, setCsrfToken } from '../api/client';
import { getSession, signOut as endSession } from '../api/organization';
import type { Session } from '../api/types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'error'; error: Error }
  | { status: 'signed-in'; session: Session };

interface SessionControl {
  state: SessionState;
  /** After a successful sign-in. */
  signedIn: (session: Session) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionControl | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    getSession().then(
      (session) => {
        setCsrfToken(session.csrf);
        setState({ status: 'signed-in', session });
      },
      (error: Error) => {
        if (error instanceof ApiError && error.status === 401) setState({ status: 'signed-out' });
        else setState({ status: 'error', error });
      },
    );
  }, []);

  useEffect(() => {
    const ended = () => {
      setCsrfToken(null);
      setState({ status: 'signed-out', reason: 'Your session has ended. Sign in again.' });
    };
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, []);

  const signedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrf);
    setState({ status: 'signed-in', session });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await endSession();
    } finally {
      setCsrfToken(null);
      setState({ status: 'signed-out', reason: 'You are signed out.' });
    }
  }, []);

  const value = useMemo(() => ({ state, signedIn, signOut }), [state, signedIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionControl(): SessionControl {
  const control = useContext(SessionContext);
  if (control === null) throw new Error('useSessionControl needs a <SessionProvider> above it');
  return control;
}

/** The signed-in session; only for pages rendered once someone is signed in. */
export function useSession(): Session & { user: NonNullable<Session['user']> } {
  const { state } = useSessionControl();
  if (state.status !== 'signed-in' || state.session.user === null) throw new Error('useSession outside a signed-in page');
  return state.session as Session & { user: NonNullable<Session['user']> };
}
