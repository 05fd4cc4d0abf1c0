// A small SQL highlighter: comments, strings, quoted identifiers, numbers and keywords become
// spans (built with textContent, so the SQL is never parsed as markup).
import { h } from './dom.js';

const KEYWORDS = new Set(('select from where insert into values update set delete create table alter add drop ' +
  'column index unique primary key foreign references constraint not null default on cascade view ' +
  'sequence trigger function procedure begin end commit rollback grant revoke to as and or in is like ' +
  'between exists join left right inner outer full cross union all distinct group by order having limit ' +
  'offset case when then else if rename int integer bigint smallint decimal numeric varchar char text ' +
  'boolean date timestamp time serial with returning check schema database use truncate comment ' +
  'asc desc identity generated always cascade restrict replace temporary temp').split(' '));

const TOKEN = /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?|`[^`]*`?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_$]*)/g;

/** A <pre class="sql"> element holding {@code sql} with highlighting. */
export function highlight(sql, attrs) {
  const pre = h('pre', Object.assign({ class: 'sql', tabindex: '0' }, attrs || {}));
  const text = sql || '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) pre.appendChild(document.createTextNode(text.slice(last, m.index)));
    let cls = null;
    if (m[1]) cls = 'com';
    else if (m[2]) cls = 'str';
    else if (m[3]) cls = null;
    else if (m[4]) cls = 'num';
    else if (m[5] && KEYWORDS.has(m[5].toLowerCase())) cls = 'kw';
    pre.appendChild(cls ? h('span', { class: cls }, m[0]) : document.createTextNode(m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) pre.appendChild(document.createTextNode(text.slice(last)));
  return pre;
}
