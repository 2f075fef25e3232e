// The console's routes. Signed out, every address shows sign-in (and comes back to itself
// after); signed in, the Access Control pages sit behind the slice's answer to "may this
// user read the directory at the organization?".
import { useEffect, type ReactNode } from 'react';
import { AccessGate } from './access/AccessGate';
import { AccessProvider } from './access/AccessProvider';
import { ErrorAlert, Loading } from './components/Alerts';
import { Layout } from './components/Layout';
import { AccessCheckPage } from './pages/AccessCheckPage';
import { AuditPage } from './pages/AuditPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OwnershipPage } from './pages/OwnershipPage';
import { RoleDetailsPage } from './pages/RoleDetailsPage';
import { RolesPage } from './pages/RolesPage';
import { SettingsPage } from './pages/SettingsPage';
import { SignInPage } from './pages/SignIn';
import { UsersPage } from './pages/UsersPage';
import { CreateAssignmentPage } from './pages/user/CreateAssignmentPage';
import { UserPage } from './pages/user/UserPage';
import { match, navigate, useLocation } from './router';
import { SessionProvider, useSessionControl } from './session/SessionContext';

export function App() {
  return (
    <SessionProvider>
      <Signed />
    </SessionProvider>
  );
}

function Signed() {
  const { state } = useSessionControl();
  if (state.status === 'loading') return <main id="main"><Loading what="the console" /></main>;
  if (state.status === 'error') return <main id="main"><h1>rolegate console</h1><ErrorAlert error={state.error} /></main>;
  if (state.status === 'signed-out' || state.session.user === null) {
    return <SignInPage reason={state.status === 'signed-out' ? state.reason : undefined} />;
  }
  const { organization, user } = state.session;
  return (
    // Keyed by the user: signing in as someone else starts from nothing, never from the
    // previous user's permissions.
    <AccessProvider key={`${organization.id}/${user.id}`} organization={organization.id} user={user.id}>
      <Layout>
        <Routes />
      </Layout>
    </AccessProvider>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => {
    navigate(to, { replace: true });
  }, [to]);
  return null;
}

function Routes(): ReactNode {
  const { path } = useLocation();
  const gated = (page: ReactNode) => <AccessGate>{page}</AccessGate>;
  let params: Record<string, string> | null;
  if (path === '/' || path === '/sign-in') return <Redirect to="/users" />;
  if (match('/users', path)) return gated(<UsersPage />);
  if ((params = match('/users/:user/role-assignments/new', path))) return gated(<CreateAssignmentPage key={params.user} user={params.user} />);
  if ((params = match('/users/:user/role-assignments', path))) return gated(<UserPage key={params.user} user={params.user} tab="role-assignments" />);
  if ((params = match('/users/:user', path))) return gated(<UserPage key={params.user} user={params.user} tab="details" />);
  if (match('/roles', path)) return gated(<RolesPage />);
  if ((params = match('/roles/:role', path))) return gated(<RoleDetailsPage key={params.role} role={params.role} />);
  if (match('/ownership', path)) return gated(<OwnershipPage />);
  if (match('/settings', path)) return gated(<SettingsPage />);
  if (match('/audit', path)) return gated(<AuditPage />);
  if (match('/access-check', path)) return gated(<AccessCheckPage />);
  return <NotFoundPage />;
}
