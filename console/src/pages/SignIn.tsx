// Sign-in: email and password (argon2-checked by the server), and, on a `--demo` server only,
// a clearly labelled picker that signs in as any demo user without a password.
import { useEffect, useState, type FormEvent } from 'react';
import { demoSignIn, getDemoUsers, signIn } from '../api/organization';
import type { DemoUsers } from '../api/types';
import { ErrorAlert, Notice } from '../components/Alerts';
import { Page } from '../components/Page';
import { useSessionControl } from '../session/SessionContext';

export function SignInPage({ reason }: { reason?: string }) {
  const { signedIn } = useSessionControl();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [demo, setDemo] = useState<DemoUsers | null>(null);

  useEffect(() => {
    // Only a --demo server answers; anywhere else the picker simply is not there.
    getDemoUsers().then(setDemo, () => setDemo(null));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await signIn(email, password));
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  const asDemoUser = async (user: string) => {
    setError(null);
    try {
      signedIn(await demoSignIn(user));
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <Page title="Sign in to the rolegate console">
        {reason && <Notice>{reason}</Notice>}
        <ErrorAlert error={error} title="Sign-in failed:" />
        <form className="card form" onSubmit={submit}>
          <label htmlFor="email">Email</label>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <label htmlFor="password">Password</label>
          <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <button type="submit" className="button-primary" disabled={busy}>Sign in</button>
        </form>
        {demo && (
          <section className="card demo-picker" aria-labelledby="demo-title">
            <h2 id="demo-title">Demo sign-in</h2>
            <p>
              This server runs the <strong>demo organization ({demo.organization.name})</strong>: sign in as any of its users
              without a password. Real organizations have no such picker.
            </p>
            <ul className="demo-users">
              {demo.users.map((u) => (
                <li key={u.id}>
                  <button type="button" onClick={() => void asDemoUser(u.id)} aria-describedby={`demo-roles-${u.id}`}>
                    Sign in as {u.name}
                  </button>
                  <span id={`demo-roles-${u.id}`} className="muted"> {u.email} · {u.roles.join('; ') || 'no roles'}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </Page>
    </main>
  );
}
