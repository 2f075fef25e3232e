// Loads something from the server for a page: its value, the error that prevented it, and a
// way to load it again after a change — whose promise resolves once the new value is in, so a
// page can say "done" only when what it shows is already the changed state. An answer that
// arrives after the inputs changed (a slow search overtaken by a newer one) is dropped, and
// until the answer for the current inputs is in, `loading` is true: between a change of inputs
// and the effect that asks again, React renders once more, and that render must not present
// the previous inputs' answer ("1 user found") as the answer to the new ones.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Fetched<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useFetched<T>(load: () => Promise<T>, deps: readonly unknown[]): Fetched<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean; deps: readonly unknown[] | null }>(
    { data: null, error: null, loading: true, deps: null },
  );
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const waiting = useRef<Array<() => void>>([]);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    const settle = (next: { data: T | null; error: Error | null }) => {
      if (ticket !== latest.current) return;
      setState({ ...next, loading: false, deps });
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
  const current = state.deps !== null && sameDeps(state.deps, deps);
  return { data: state.data, error: state.error, loading: state.loading || !current, reload };
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}
