import { Page } from '../components/Page';
import { Link } from '../router';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>There is no such page in the console. <Link to="/users">Go to User management</Link>.</p>
    </Page>
  );
}
