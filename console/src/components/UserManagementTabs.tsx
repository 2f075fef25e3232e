// The user-management page's two tabs, as in the seed: Users, and Roles.
import { TabLinks } from './Tabs';

export function UserManagementTabs() {
  return (
    <TabLinks
      label="User management"
      tabs={[
        { to: '/users', label: 'Users', current: (p) => p === '/users' },
        { to: '/roles', label: 'Roles', current: (p) => p.startsWith('/roles') },
      ]}
    />
  );
}

export const TRAIL = 'Settings › Organization settings › User management';
