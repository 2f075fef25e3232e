// The frame around every signed-in page: who and where you are, the organization-settings
// navigation, and a skip link past both.
import type { ReactNode } from 'react';
import { useRolegateStatus } from 'rolegate/react';
import { Link, useLocation } from '../router';
import { useSession, useSessionControl } from '../session/SessionContext';
import { Tag } from './Tag';

const SECTIONS = [
  { to: '/users', label: 'Users', prefix: ['/users', '/roles'] },
  { to: '/ownership', label: 'Account ownership', prefix: ['/ownership'] },
  { to: '/settings', label: 'Settings', prefix: ['/settings'] },
  { to: '/audit', label: 'Audit log', prefix: ['/audit'] },
  { to: '/access-check', label: 'Access check', prefix: ['/access-check'] },
];

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const { signOut } = useSessionControl();
  const { path } = useLocation();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">rolegate</span>
        <span className="org">{session.organization.name}</span>
        {session.demo && <Tag tone="demo">Demo organization</Tag>}
        <span className="spacer" />
        <SliceStatus />
        <span className="whoami">Signed in as <strong>{session.user.name}</strong></span>
        <button type="button" className="button-quiet" onClick={() => void signOut()}>Sign out</button>
      </header>
      <div className="body">
        <nav className="sidenav" aria-label="Organization settings">
          <p className="sidenav-title">Organization settings</p>
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.to}>
                <Link to={s.to} aria-current={s.prefix.some((p) => path.startsWith(p)) ? 'page' : undefined}>{s.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>{children}</main>
      </div>
    </div>
  );
}

/** The revision the console decides with, and whether keeping it fresh is failing. */
function SliceStatus() {
  const status = useRolegateStatus();
  if (status.revision === null) return null;
  return (
    <span className="slice-status" title="The revision of your signed permissions this page decides with">
      {status.error ? <Tag tone="warning">{`Permissions may be stale (${status.error.code})`}</Tag> : `Revision ${status.revision}`}
    </span>
  );
}
