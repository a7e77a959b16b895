// The admin console: calls only the REST API beside it. Every piece of data reaches the page through textContent or
// a property, never through HTML parsing: a credential's name or a principal's id is whatever someone typed.
// Secret values are typed into password inputs, sent once, and the inputs are emptied; nothing here reads one back.

const API = location.pathname.replace(/\/console\/[^/]*$/, '');
// How many rows a page holds: 20, or ?pageSize=N on the console's address (1 to 100).
const PAGE_SIZE = (() => {
  const n = Number.parseInt(new URLSearchParams(location.search).get('pageSize') || '', 10);
  return n >= 1 && n <= 100 ? n : 20;
})();
const KINDS = ['USER', 'GROUP', 'AGENT', 'TOOL'];
const STATUS_TEXT = {VERIFIED: 'Verified', FAILED: 'Failed', UNVERIFIED: 'Unverified'};

const state = {types: [], typeById: new Map(), pageTokens: [null], pageIndex: 0, nextToken: null, openId: null};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, '');
    else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || ('The server answered ' + status + '.'));
    this.status = status;
    this.errors = (problem && Array.isArray(problem.errors)) ? problem.errors : [];
  }
}

async function api(method, path, body, headers = {}) {
  const init = {method, headers: {Accept: 'application/json', ...headers}, credentials: 'same-origin',
    cache: 'no-store'};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = null; }
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return {json, etag: response.headers.get('ETag')};
}

const enc = encodeURIComponent;

function notice(text) {
  $('notice').textContent = text;
}

function principalText(p) {
  return p.kind.toLowerCase() + ':' + p.id;
}

function badge(status) {
  return el('span', {class: 'badge badge-' + String(status).toLowerCase(), text: STATUS_TEXT[status] || status});
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

function humanReason(reason) {
  if (!reason) return '';
  const s = reason.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ------------------------------------------------------------------------------------------------------ the list

async function loadTypes() {
  const {json} = await api('GET', '/types');
  state.types = json.items;
  for (const t of json.items) state.typeById.set(t.id, t);
  const select = $('filter-type');
  for (const t of json.items) select.append(el('option', {value: t.id, text: t.displayName}));
}

async function loadList() {
  const params = new URLSearchParams({pageSize: String(PAGE_SIZE)});
  if ($('filter-type').value) params.set('type', $('filter-type').value);
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  const token = state.pageTokens[state.pageIndex];
  if (token) params.set('pageToken', token);
  let json;
  try {
    ({json} = await api('GET', '?' + params.toString()));
  } catch (e) {
    notice('The list could not be loaded: ' + e.message);
    return;
  }
  state.nextToken = json.nextPageToken || null;
  const rows = $('rows');
  rows.replaceChildren(...json.items.map(row));
  $('empty').hidden = json.items.length > 0;
  $('prev').disabled = state.pageIndex === 0;
  $('next').disabled = !state.nextToken;
  document.body.dataset.loaded = String(Date.now());
}

function row(c) {
  const shares = c.sharedWith.length === 0 ? el('span', {class: 'muted', text: 'Only the owner'})
    : el('ul', {class: 'shares'}, ...c.sharedWith.map(s =>
      el('li', {}, principalText(s), ' ', el('span', {class: 'access', text: s.access}))));
  const open = el('button', {type: 'button', class: 'link', 'data-id': c.id, text: c.name,
    onclick: () => openPanel(c.id)});
  return el('tr', {'data-id': c.id},
    el('th', {scope: 'row', 'data-label': 'Name'}, open),
    el('td', {'data-label': 'Type'}, c.typeName),
    el('td', {'data-label': 'Shared with'}, shares),
    el('td', {'data-label': 'Status'}, badge(c.status)),
    el('td', {class: 'row-actions'},
      el('button', {type: 'button', class: 'small', 'aria-label': 'Edit ' + c.name,
        'data-action': 'edit', text: '✎ Edit', onclick: () => editCredential(c.id)}),
      ' ',
      el('button', {type: 'button', class: 'small danger', 'aria-label': 'Remove ' + c.name,
        'data-action': 'remove', text: '✕ Remove', onclick: () => removeCredential(c.id, c.name)})));
}

// ------------------------------------------------------------------------------------------------ the side panel

// One credential with its ETag, or null after telling the person why it could not be loaded.
async function loadCredential(id) {
  try {
    return await api('GET', '/' + enc(id));
  } catch (e) {
    notice('The credential could not be loaded: ' + e.message);
    return null;
  }
}

async function openPanel(id, focus = true) {
  const r = await loadCredential(id);
  if (!r) {
    return;
  }
  state.openId = id;
  renderPanel(r.json);
  const panel = $('panel');
  panel.hidden = false;
  document.body.classList.add('panel-open');
  if (focus) $('panel-title').focus();
}

function closePanel() {
  const id = state.openId;
  state.openId = null;
  $('panel').hidden = true;
  document.body.classList.remove('panel-open');
  const back = id && document.querySelector('button.link[data-id="' + CSS.escape(id) + '"]');
  if (back) back.focus(); else $('list-heading').focus();
}

function section(title, ...content) {
  return el('section', {class: 'panel-section'}, el('h3', {text: title}), ...content);
}

function renderPanel(c) {
  $('panel-title').textContent = c.name;
  const type = state.typeById.get(c.type);
  const body = $('panel-body');
  const last = c.lastVerification;

  const status = section('Status',
    el('p', {}, badge(c.status), ' ', el('span', {class: 'muted', text: c.typeName})),
    last ? el('dl', {class: 'facts', id: 'last-verification'},
      el('dt', {text: 'Last checked'}), el('dd', {text: when(last.checkedAt)}),
      el('dt', {text: 'Outcome'}), el('dd', {text: STATUS_TEXT[last.outcome] || humanReason(last.outcome)}),
      last.reason ? el('dt', {text: 'Reason'}) : null,
      last.reason ? el('dd', {class: 'reason', text: humanReason(last.reason)}) : null,
      last.message ? el('dt', {text: last.outcome === 'VERIFIED' ? 'Details' : 'What to do'}) : null,
      last.message ? el('dd', {class: 'advice', text: last.message}) : null)
      : el('p', {class: 'muted', text: 'Not checked yet.'}),
    el('div', {class: 'actions'},
      el('button', {type: 'button', id: 'verify', class: 'primary', text: 'Verify', onclick: () => verify(c.id)}),
      el('button', {type: 'button', text: 'Edit', onclick: () => editCredential(c.id)}),
      el('button', {type: 'button', class: 'danger', text: 'Remove', onclick: () => removeCredential(c.id, c.name)})),
    // Announced to screen readers; the panel above shows the same result to everyone else.
    el('p', {id: 'verify-status', class: 'visually-hidden', role: 'status', 'aria-live': 'polite'}));

  const configRows = [];
  const fields = type ? type.fields : [];
  const seen = new Set();
  for (const f of fields) {
    seen.add(f.name);
    if (f.secret) {
      const set = c.secretFields.includes(f.name);
      configRows.push(el('dt', {text: f.label}),
        el('dd', {class: 'secret', 'data-field': f.name, text: set ? 'set' : 'not set'}));
    } else if (c.config[f.name] !== undefined) {
      configRows.push(el('dt', {text: f.label}), el('dd', {'data-field': f.name, text: c.config[f.name]}));
    }
  }
  for (const [k, v] of Object.entries(c.config)) {
    if (!seen.has(k)) configRows.push(el('dt', {text: k}), el('dd', {'data-field': k, text: v}));
  }
  for (const k of c.secretFields) {
    if (!seen.has(k)) configRows.push(el('dt', {text: k}), el('dd', {class: 'secret', 'data-field': k, text: 'set'}));
  }
  const config = section('Configuration', el('dl', {class: 'facts', id: 'configuration'}, ...configRows));

  const shareList = el('ul', {class: 'share-list', id: 'share-list'},
    el('li', {}, principalText(c.owner), ' ', el('span', {class: 'access', text: 'OWNER'})),
    ...c.sharedWith.map(s => el('li', {},
      principalText(s), ' ', el('span', {class: 'access', text: s.access}), ' ',
      el('button', {type: 'button', class: 'small', 'aria-label': 'Stop sharing with ' + principalText(s),
        text: 'Unshare', onclick: () => unshare(c.id, s)}))));
  const shares = section('Shared with', shareList, shareForm(c.id));

  const history = section('History', c.history.length === 0 ? el('p', {class: 'muted', text: 'No checks yet.'})
    : el('ol', {class: 'history', id: 'history'}, ...c.history.map(h => el('li', {},
      el('span', {class: 'when', text: when(h.checkedAt)}), ' ',
      el('strong', {text: STATUS_TEXT[h.outcome] || humanReason(h.outcome)}),
      h.reason ? ' · ' + humanReason(h.reason) : '',
      h.message ? el('div', {class: 'muted', text: h.message}) : null))));

  body.replaceChildren(status, config, shares, history);
}

function shareForm(id) {
  const kind = el('select', {id: 'share-kind', name: 'kind'}, ...KINDS.map(k =>
    el('option', {value: k, text: k.charAt(0) + k.slice(1).toLowerCase(), selected: k === 'GROUP'})));
  const who = el('input', {id: 'share-id', name: 'id', type: 'text', autocomplete: 'off', required: true,
    'aria-describedby': 'share-error'});
  const access = el('select', {id: 'share-access', name: 'access'},
    el('option', {value: 'USE', text: 'Use'}), el('option', {value: 'MANAGE', text: 'Manage'}));
  const error = el('p', {id: 'share-error', class: 'error', role: 'alert'});
  const form = el('form', {class: 'share-form', novalidate: true},
    el('div', {class: 'field'}, el('label', {for: 'share-kind', text: 'Kind'}), kind),
    el('div', {class: 'field'}, el('label', {for: 'share-id', text: 'Id'}), who),
    el('div', {class: 'field'}, el('label', {for: 'share-access', text: 'Access'}), access),
    el('button', {type: 'submit', id: 'share-submit', text: 'Share'}), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    who.removeAttribute('aria-invalid');
    try {
      await api('POST', '/' + enc(id) + '/shares', {principal: {kind: kind.value, id: who.value}, access: access.value});
    } catch (e) {
      error.textContent = e.errors.length ? e.errors.map(x => x.message).join(' ') : e.message;
      who.setAttribute('aria-invalid', 'true');
      who.focus();
      return;
    }
    notice('Shared with ' + kind.value.toLowerCase() + ':' + who.value + '.');
    await refresh(id);
    $('share-id').focus();
  });
  return form;
}

async function refresh(id) {
  await loadList();
  if (id && state.openId === id) await openPanel(id, false);
}

async function verify(id) {
  const button = $('verify');
  button.disabled = true;
  $('verify-status').textContent = 'Checking with the service…';
  let result;
  try {
    ({json: result} = await api('POST', '/' + enc(id) + '/verify', {}));
  } catch (e) {
    $('verify-status').textContent = 'The check could not run: ' + e.message;
    button.disabled = false;
    return;
  }
  await refresh(id);
  const outcome = result.result;
  const text = (STATUS_TEXT[outcome.outcome] || humanReason(outcome.outcome))
    + (outcome.message ? ': ' + outcome.message : '.');
  $('verify-status').textContent = text;
  $('verify').focus();
}

async function unshare(id, share) {
  try {
    await api('DELETE', '/' + enc(id) + '/shares/' + enc(share.kind.toLowerCase()) + '/' + enc(share.id));
  } catch (e) {
    notice('Could not stop sharing: ' + e.message);
    return;
  }
  notice('No longer shared with ' + principalText(share) + '.');
  await refresh(id);
}

// --------------------------------------------------------------------------------------------- add and edit form

let editorSubmit = null;
let editorReturnFocus = null;

function openEditor(title, submitText, build, submit) {
  editorReturnFocus = document.activeElement;
  $('editor-title').textContent = title;
  $('editor-submit').textContent = submitText;
  $('editor-summary').hidden = true;
  $('editor-summary').replaceChildren();
  $('editor-fields').replaceChildren(...build());
  editorSubmit = submit;
  $('editor').showModal();
  const first = $('editor-fields').querySelector('input, select');
  if (first) first.focus();
}

function closeEditor() {
  // Empties every input, secret ones included, before the dialog goes away.
  $('editor-form').reset();
  $('editor-fields').replaceChildren();
  if ($('editor').open) $('editor').close();
  if (editorReturnFocus && document.contains(editorReturnFocus)) editorReturnFocus.focus();
}

function fieldControl(f, value, opts = {}) {
  const id = 'f-' + f.name;
  const describedBy = [];
  const help = f.description ? el('p', {class: 'help', id: id + '-help', text: f.description}) : null;
  if (help) describedBy.push(id + '-help');
  const note = opts.note ? el('p', {class: 'help', id: id + '-note', text: opts.note}) : null;
  if (note) describedBy.push(id + '-note');
  describedBy.push(id + '-error');
  const required = opts.required !== undefined ? opts.required : f.required;
  let control;
  if (f.kind === 'CHOICE') {
    control = el('select', {id, name: f.name, multiple: f.multiple, required, 'aria-describedby': describedBy.join(' ')},
      f.multiple || required ? null : el('option', {value: '', text: '—'}),
      ...f.choices.map(c => el('option', {value: c, text: c})));
    const chosen = value ? value.split(',') : [];
    for (const o of control.options) o.selected = chosen.includes(o.value);
    if (!f.multiple && required && !value) control.selectedIndex = -1;
  } else {
    const type = f.secret ? 'password' : f.kind === 'DATE' ? 'date' : f.kind === 'EMAIL' ? 'email' : 'text';
    control = el('input', {id, name: f.name, type, required, spellcheck: 'false',
      autocomplete: f.secret ? 'new-password' : 'off', inputmode: f.kind === 'URL' ? 'url' : null,
      'aria-describedby': describedBy.join(' '), placeholder: opts.placeholder});
    // A stored secret is never here to echo; other fields start from their stored value.
    if (!f.secret && value !== undefined) control.value = value;
  }
  control.dataset.secret = String(f.secret);
  const label = el('label', {for: id}, f.label,
    required ? el('span', {class: 'required', 'aria-hidden': 'true', text: ' *'}) : null,
    required ? el('span', {class: 'visually-hidden', text: ' (required)'}) : null);
  return el('div', {class: 'field', 'data-field': f.name}, label, help, note, control,
    el('p', {class: 'error', id: id + '-error'}));
}

function readControl(control) {
  if (control.multiple) return Array.from(control.selectedOptions).map(o => o.value).join(',');
  return control.value;
}

function showProblem(e) {
  const summary = $('editor-summary');
  const unplaced = [];
  let first = null;
  for (const fe of e.errors) {
    const name = String(fe.field).replace(/^(config|secrets)\./, '');
    const slot = document.getElementById('f-' + name + '-error');
    if (slot) {
      slot.textContent = fe.message;
      const control = document.getElementById('f-' + name);
      control.setAttribute('aria-invalid', 'true');
      if (!first) first = control;
    } else {
      unplaced.push(fe.field + ': ' + fe.message);
    }
  }
  const lines = [e.message, ...unplaced];
  summary.replaceChildren(...lines.map(l => el('p', {text: l})));
  summary.hidden = false;
  (first || summary).focus?.();
}

function clearProblems() {
  $('editor-summary').hidden = true;
  for (const p of $('editor-fields').querySelectorAll('.error')) p.textContent = '';
  for (const c of $('editor-fields').querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

function nameField(value) {
  return fieldControl({name: 'name', label: 'Name', kind: 'TEXT', required: true, secret: false,
    description: 'How people and tools will recognise it, e.g. "Jira (production)".'}, value);
}

function addCredential() {
  if (state.types.length === 0) {
    notice('No credential types are installed.');
    return;
  }
  const typeSelect = el('select', {id: 'f-type', name: 'type', required: true, 'aria-describedby': 'f-type-error'},
    ...state.types.map(t => el('option', {value: t.id, text: t.displayName})));
  const typeFields = el('div', {id: 'type-fields'});
  const draw = () => {
    const t = state.typeById.get(typeSelect.value);
    typeFields.replaceChildren(...entered(t.fields).map(f => fieldControl(f, undefined)));
  };
  typeSelect.addEventListener('change', draw);
  openEditor('Add credentials', 'Add', () => {
    const nodes = [el('div', {class: 'field'}, el('label', {for: 'f-type', text: 'Type'}), typeSelect,
      el('p', {class: 'error', id: 'f-type-error'})), nameField(''), typeFields];
    draw();
    return nodes;
  }, async () => {
    const t = state.typeById.get(typeSelect.value);
    const body = {type: t.id, name: $('f-name').value, config: {}, secrets: {}};
    for (const f of entered(t.fields)) {
      const v = readControl($('f-' + f.name));
      if (v !== '') (f.secret ? body.secrets : body.config)[f.name] = v;
    }
    const {json} = await api('POST', '', body);
    notice('Added ' + json.name + '.');
    return json.id;
  });
}

// The fields a person enters: a MANAGED one (a refreshed access token) is kept by the library and refused if sent.
function entered(fields) {
  return fields.filter(f => !f.roles.includes('MANAGED'));
}

async function editCredential(id) {
  const r = await loadCredential(id);
  if (!r) {
    return;
  }
  const c = r.json;
  const version = r.etag;
  const t = state.typeById.get(c.type);
  const fields = t ? entered(t.fields) : [];
  const targets = fields.filter(f => !f.secret && f.roles.includes('TARGET'));
  const secretNote = 'Leave empty to keep the stored value.';
  const targetNote = 'You changed where this credential is sent: enter its secrets again.';
  const updateSecretMarks = () => {
    const moved = targets.some(f => readControl($('f-' + f.name)) !== (c.config[f.name] || ''));
    for (const f of fields.filter(x => x.secret)) {
      const control = $('f-' + f.name);
      const note = $('f-' + f.name + '-note');
      const mustReplace = moved && c.secretFields.includes(f.name);
      control.required = mustReplace || (f.required && !c.secretFields.includes(f.name));
      if (note) note.textContent = mustReplace ? targetNote : secretNote;
    }
  };
  openEditor('Edit ' + c.name, 'Save', () => {
    const nodes = [nameField(c.name), ...fields.map(f => f.secret
      ? fieldControl(f, undefined, {required: f.required && !c.secretFields.includes(f.name),
        note: c.secretFields.includes(f.name) ? secretNote : null,
        placeholder: c.secretFields.includes(f.name) ? 'Stored; type to replace' : null})
      : fieldControl(f, c.config[f.name]))];
    return nodes;
  }, async () => {
    const body = {};
    const name = $('f-name').value;
    if (name !== c.name) body.name = name;
    const config = {};
    const clearConfig = [];
    const secrets = {};
    for (const f of fields) {
      const v = readControl($('f-' + f.name));
      if (f.secret) {
        if (v !== '') secrets[f.name] = v;
      } else if (v !== (c.config[f.name] || '')) {
        if (v === '') clearConfig.push(f.name); else config[f.name] = v;
      }
    }
    if (Object.keys(config).length) body.config = config;
    if (clearConfig.length) body.clearConfig = clearConfig;
    if (Object.keys(secrets).length) body.secrets = secrets;
    if (Object.keys(body).length === 0) return id;
    const {json} = await api('PATCH', '/' + enc(id), body, {'If-Match': version});
    notice('Saved ' + json.name + '.');
    return id;
  });
  for (const f of targets) $('f-' + f.name).addEventListener('input', updateSecretMarks);
  for (const f of targets) $('f-' + f.name).addEventListener('change', updateSecretMarks);
}

// ---------------------------------------------------------------------------------------------------- remove

let confirmAction = null;

const USAGE_DAYS = 30;
const USAGE_GROUPS = [['agents', 'agent', 'agents'], ['tools', 'tool', 'tools'], ['users', 'user', 'users']];

function counted(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

// The credential's usage of the last 30 days, or null when it is not known (no audit trail, no MANAGE right).
async function loadUsage(id) {
  try {
    return (await api('GET', '/' + enc(id) + '/usage?days=' + USAGE_DAYS)).json;
  } catch (e) {
    return null;
  }
}

// "Used in the last 30 days by 2 agents, 1 tool:" and one line per principal; ids go in as text only.
function usageView(u) {
  const groups = USAGE_GROUPS.map(([key, one, many]) => ({list: Array.isArray(u[key]) ? u[key] : [], one, many}))
    .filter(g => g.list.length > 0);
  const refused = u.refusals > 0 ? ' ' + counted(u.refusals, 'use was', 'uses were') + ' refused.' : '';
  if (!u.uses || groups.length === 0) {
    return [el('p', {id: 'confirm-usage-summary',
      text: 'No recorded use in the last ' + USAGE_DAYS + ' days.' + refused})];
  }
  const summary = 'Used in the last ' + USAGE_DAYS + ' days by '
    + groups.map(g => counted(g.list.length, g.one, g.many)).join(', ') + ':';
  const items = [];
  for (const g of groups) {
    for (const p of g.list) {
      items.push(el('li', {}, principalText(p) + ' — ' + counted(p.uses, 'use', 'uses') + ', last ' + when(p.lastUsed)));
    }
  }
  const out = [el('p', {id: 'confirm-usage-summary', text: summary}), el('ul', {class: 'usage-list'}, ...items)];
  if (refused) out.push(el('p', {text: refused.trim()}));
  return out;
}

async function removeCredential(id, name) {
  const usage = await loadUsage(id);
  $('confirm-text').textContent = 'Remove “' + name + '”? Tools that use it will stop working. This cannot be undone.';
  $('confirm-usage').replaceChildren(...(usage ? usageView(usage) : []));
  $('confirm-usage').hidden = !usage;
  $('confirm-error').hidden = true;
  confirmAction = async () => {
    await api('DELETE', '/' + enc(id));
    notice('Removed ' + name + '.');
    if (state.openId === id) {
      state.openId = null;
      $('panel').hidden = true;
      document.body.classList.remove('panel-open');
    }
  };
  if (!$('confirm').open) $('confirm').showModal();
  $('confirm-cancel').focus();
}

// ------------------------------------------------------------------------------------------------------ wiring

function wire() {
  $('add').addEventListener('click', addCredential);
  $('panel-close').addEventListener('click', closePanel);
  $('panel').addEventListener('keydown', (e) => { if (e.key === 'Escape') closePanel(); });
  for (const id of ['filter-type', 'filter-status']) {
    $(id).addEventListener('change', () => {
      state.pageTokens = [null];
      state.pageIndex = 0;
      loadList();
    });
  }
  $('next').addEventListener('click', () => {
    if (!state.nextToken) return;
    state.pageTokens[state.pageIndex + 1] = state.nextToken;
    state.pageIndex++;
    loadList();
  });
  $('prev').addEventListener('click', () => {
    if (state.pageIndex === 0) return;
    state.pageIndex--;
    loadList();
  });
  $('editor-cancel').addEventListener('click', closeEditor);
  $('editor').addEventListener('cancel', (e) => { e.preventDefault(); closeEditor(); });
  $('editor-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearProblems();
    const submit = $('editor-submit');
    submit.disabled = true;
    let id;
    try {
      id = await editorSubmit();
    } catch (e) {
      submit.disabled = false;
      if (e instanceof ApiError) showProblem(e); else throw e;
      return;
    }
    submit.disabled = false;
    closeEditor();
    await refresh(state.openId);
    if (id) await openPanel(id);
  });
  $('confirm-cancel').addEventListener('click', () => $('confirm').close());
  $('confirm-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await confirmAction();
    } catch (e) {
      $('confirm-error').textContent = e.message;
      $('confirm-error').hidden = false;
      return;
    }
    $('confirm').close();
    await loadList();
    $('list-heading').focus();
  });
}

async function start() {
  wire();
  try {
    await loadTypes();
  } catch (e) {
    notice('The console could not start: ' + e.message);
    return;
  }
  await loadList();
}

start();
