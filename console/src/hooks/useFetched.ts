// Loads something from the server for a page: its value, the error that prevented it, and a
// way to load it again after a change — whose promise resolves once the new value is in, so a
// page can say "done" only when what it shows is already the changed state. An answer that
// arrives after the inputs changed (a slow search overtaken by a newer one) is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Fetched<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useFetched<T>(load: () => Promise<T>, deps: readonly unknown[]): Fetched<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const waiting = useRef<Array<() => void>>([]);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    const settle = (next: { data: T | null; error: Error | null }) => {
      if (ticket !== latest.current) return;
      setState({ ...next, loading: false });
      const waiters = waiting.current;
      waiting.current = [];
      for (const wake of waiters) wake();
    };
    load().then((data) => settle({ data, error: null }), (error: Error) => settle({ data: null, error }));
    // `load` is a closure over `deps`; the caller names what it depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => new Promise<void>((resolve) => {
    waiting.current.push(resolve);
    setGeneration((g) => g + 1);
  }), []);
  return { ...state, reload };
}
