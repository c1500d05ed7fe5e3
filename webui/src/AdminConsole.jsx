import { useState } from 'react';
import Approvals from './Approvals.jsx';
import Dashboard from './Dashboard.jsx';
import Plugins from './Plugins.jsx';
import EventHandlers from './EventHandlers.jsx';
import Users from './Users.jsx';
import Realms from './Realms.jsx';
import Resolvers from './Resolvers.jsx';
import Policies from './Policies.jsx';
import AllTokens from './AllTokens.jsx';
import AuditLog from './AuditLog.jsx';
import Outbox from './Outbox.jsx';
import CaConnectors from './CaConnectors.jsx';

// The admin console: one tab per page, in the order an admin needs them.
const pages = [
  ['dashboard', 'Dashboard', Dashboard],
  ['approvals', 'Approvals', Approvals],
  ['events', 'Event handlers', EventHandlers],
  ['plugins', 'Plugins', Plugins],
  ['users', 'Users', Users],
  ['realms', 'Realms', Realms],
  ['resolvers', 'Resolvers', Resolvers],
  ['policies', 'Policies', Policies],
  ['tokens', 'All tokens', AllTokens],
  ['audit', 'Audit log', AuditLog],
  ['outbox', 'Outbox', Outbox],
  ['ca', 'CA connectors', CaConnectors],
];

export default function AdminConsole() {
  const [current, setCurrent] = useState(pages[0][0]);
  const Page = pages.find(([key]) => key === current)[2];
  return (
    <>
      <nav aria-label="Admin">
        {pages.map(([key, label]) => (
          <button
            key={key}
            className={current === key ? 'tab current' : 'tab'}
            aria-current={current === key ? 'page' : undefined}
            onClick={() => setCurrent(key)}
          >
            {label}
          </button>
        ))}
      </nav>
      <Page />
    </>
  );
}
