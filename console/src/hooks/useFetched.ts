// Loads something from the server for a page: its value, the error that prevented it, and a
// way to load it again after a change. An answer that arrives after the inputs changed (a
// slow search overtaken by a newer one) is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Fetched<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

export function useFetched<T>(load: () => Promise<T>, deps: readonly unknown[]): Fetched<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (error: Error) => ticket === latest.current && setState({ data: null, error, loading: false }),
    );
    // `load` is a closure over `deps`; the caller names what it depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
