// Asks the server for the dry run of a pending change whenever it changes (after a short
// pause while the form is being filled in), so the verdict is on the page before anyone
// clicks Save changes.
import { useEffect, useState } from 'react';
import type { DryRun } from '../api/types';

export function useDryRuns(run: (() => Promise<DryRun[]>) | null, key: string) {
  const [state, setState] = useState<{ runs: DryRun[] | null; checking: boolean; error: Error | null }>({ runs: null, checking: false, error: null });
  useEffect(() => {
    if (run === null) {
      setState({ runs: null, checking: false, error: null });
      return undefined;
    }
    let current = true;
    setState({ runs: null, checking: true, error: null });
    const timer = setTimeout(() => {
      run().then(
        (runs) => current && setState({ runs, checking: false, error: null }),
        (error: Error) => current && setState({ runs: null, checking: false, error }),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `key` says what the change is; `run` is a new closure over it on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
