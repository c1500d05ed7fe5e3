import { useState } from 'react';
import AllTokens from './AllTokens.jsx';
import Approvals from './Approvals.jsx';
import AuditLog from './AuditLog.jsx';
import CaConnectors from './CaConnectors.jsx';
import Dashboard from './Dashboard.jsx';
import EnrollmentForms from './EnrollmentForms.jsx';
import EventHandlers from './EventHandlers.jsx';
import Organizations from './Organizations.jsx';
import Outbox from './Outbox.jsx';
import Plugins from './Plugins.jsx';
import Policies from './Policies.jsx';
import Realms from './Realms.jsx';
import Resolvers from './Resolvers.jsx';
import Users from './Users.jsx';

// The admin console: a side bar of pages in groups, in the order an admin needs them.
const groups = [
  ['Overview', [['Dashboard', Dashboard], ['Approvals', Approvals]]],
  ['Tokens', [['All tokens', AllTokens], ['Audit log', AuditLog]]],
  ['Identity', [['Users', Users], ['Realms', Realms], ['Resolvers', Resolvers]]],
  ['Enrollment forms', [['Organizations', Organizations], ['Forms', EnrollmentForms]]],
  [
    'Configuration',
    [
      ['Policies', Policies],
      ['CA connectors', CaConnectors],
      ['Event handlers', EventHandlers],
      ['Outbox', Outbox],
      ['Plugins', Plugins],
    ],
  ],
];

// On a narrow screen the side bar folds away behind a "Pages" button, so that each page starts
// at the top of the screen.
export default function AdminConsole() {
  const [current, setCurrent] = useState('Dashboard');
  const [menuOpen, setMenuOpen] = useState(false);
  const Page = groups.flatMap(([, pages]) => pages).find(([label]) => label === current)[1];
  const go = (label) => {
    setCurrent(label);
    setMenuOpen(false);
  };
  return (
    <div className="console">
      <button
        className="menu-toggle secondary"
        aria-expanded={menuOpen}
        aria-controls="admin-pages"
        onClick={() => setMenuOpen(!menuOpen)}
      >
        {menuOpen ? 'Close the page list' : `Pages: ${current}`}
      </button>
      <nav aria-label="Admin" id="admin-pages" className={menuOpen ? 'sidebar open' : 'sidebar'}>
        {groups.map(([group, pages]) => (
          <div key={group} role="group" aria-labelledby={`group-${group}`}>
            <p id={`group-${group}`} className="group">
              {group}
            </p>
            {pages.map(([label]) => (
              <button
                key={label}
                className={current === label ? 'tab current' : 'tab'}
                aria-current={current === label ? 'page' : undefined}
                onClick={() => go(label)}
              >
                {label}
              </button>
            ))}
          </div>
        ))}
      </nav>
      <div className="page">
        <Page go={go} />
      </div>
    </div>
  );
}
