// Tabs that are pages of their own (each with its address), as in the seed's user-management
// screens: a navigation landmark whose current page is marked for assistive technology.
import { Link, useLocation } from '../router';

export function TabLinks({ label, tabs }: { label: string; tabs: Array<{ to: string; label: string; current?: (path: string) => boolean }> }) {
  const { path } = useLocation();
  return (
    <nav className="tabs" aria-label={label}>
      <ul>
        {tabs.map((tab) => {
          const current = tab.current ? tab.current(path) : path === tab.to;
          return (
            <li key={tab.to}>
              <Link to={tab.to} aria-current={current ? 'page' : undefined}>{tab.label}</Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
