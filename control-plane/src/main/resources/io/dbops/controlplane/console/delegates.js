// Delegates connected to this control plane replica: version, tags, capacity, running tasks, heartbeat.
import { get } from './api.js';
import { h, statusBadge, time, table, message, errorText } from './dom.js';

export async function render(main) {
  const list = h('div', { id: 'delegates' });
  main.append(h('h1', {}, 'Delegates'), h('p', { class: 'muted' }, 'Sessions of the replica that serves this page.'), list);
  async function refresh() {
    try {
      const ds = await get('/api/v1/delegates');
      list.replaceChildren(ds.length ? table(['Name', 'Instance', 'Version', 'Tags', 'Capacity', 'Running', 'Transport', 'State', 'Connected', 'Last heartbeat'],
        ds.map(d => h('tr', {}, h('td', {}, d.name), h('td', { class: 'mono' }, d.instanceId), h('td', {}, d.version || ''),
          h('td', {}, (d.tags || []).join(', ')), h('td', {}, String(d.capacity)), h('td', {}, String(d.running)),
          h('td', {}, d.transport), h('td', {}, statusBadge(d.state)), h('td', {}, time(d.connectedAt)), h('td', {}, time(d.lastSeenAt)))))
        : message('info', 'No delegate is connected.'));
    } catch (e) { list.replaceChildren(message('error', errorText(e))); }
  }
  await refresh();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}
