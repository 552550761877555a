// soltree diff page: the filter (name, kind, change type), expand and collapse all, links into
// collapsed sections, and printing with everything open. No dependencies and no network; the
// page reads fine without it (the controls stay hidden).
(() => {
  'use strict';
  const doc = document;
  const all = (sel, root = doc) => Array.from(root.querySelectorAll(sel));
  const byId = (id) => doc.getElementById(id);
  const lower = (s) => s.toLowerCase();
  const bar = byId('_bar');
  const query = byId('_q');
  const kind = byId('_kind');
  const boxes = all('input[type=checkbox]', bar);
  const status = byId('_status');
  const none = byId('_none');
  // Sections a filter opens by itself when it leaves no more than this many.
  const AUTO_OPEN = 8;

  const changeOf = (el) => ['a', 'r', 'm'].find((c) => el.classList.contains(c)) || 'n';
  const isDetails = (el) => el.tagName === 'DETAILS';
  const sectionOf = new Map();
  // One entry per section (a top-level component, or the manifest), each with its items: the
  // components inside it (the section itself when it is one line), or the manifest's rows.
  const groups = all('.g').map((el) => {
    const head = lower((el.querySelector('.t') || el).textContent);
    const itemEls = el.classList.contains('c') ? [el] : all('.c', el);
    const items = itemEls.map((it) => {
      const first = it.classList.contains('l') ? it : it.querySelector('.l, .h') || it;
      const own = it === el ? '' : first.textContent;
      const id = it.id || el.id;
      return { el: it, kind: it.dataset.k || '', change: changeOf(it), text: head + '\n' + lower(own), id };
    });
    const g = { el, items, toc: null };
    sectionOf.set(el.id, g);
    return g;
  });
  const itemCount = groups.reduce((n, g) => n + g.items.length, 0);
  const kinds = all('.k').map((el) => ({ el, groups: groups.filter((g) => el.contains(g.el)), toc: null }));
  for (const a of all('#_toc a[href^="#"]')) {
    const id = a.getAttribute('href').slice(1);
    const g = sectionOf.get(id);
    if (g) g.toc = a.closest('li');
    const k = kinds.find((s) => s.el.id === id);
    if (k) k.toc = a.closest('li');
  }

  const setHidden = (el, hidden) => {
    if (el && el.hidden !== hidden) el.hidden = hidden;
  };

  function apply() {
    const terms = lower(query.value).split(/\s+/).filter(Boolean);
    // A path typed as written (`entity:account/attribute:new_score`) matches the anchor.
    const slugs = terms.map((t) => t.replace(/[^\p{L}\p{N}_.]+/gu, '-'));
    const k = kind.value;
    const changes = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    const everyChange = changes.size === boxes.length;
    const active = terms.length > 0 || k !== '' || !everyChange;
    let groupsShown = 0;
    let itemsShown = 0;
    for (const g of groups) {
      let any = false;
      for (const it of g.items) {
        const ok =
          !active ||
          ((k === '' || it.kind === k) &&
            (everyChange || changes.has(it.change)) &&
            terms.every((t, i) => it.text.includes(t) || it.id.includes(slugs[i])));
        if (it.el !== g.el) setHidden(it.el, !ok);
        if (ok) {
          any = true;
          itemsShown++;
        }
      }
      setHidden(g.el, !any);
      setHidden(g.toc, !any);
      if (any) groupsShown++;
    }
    for (const s of kinds) {
      const any = s.groups.some((g) => !g.el.hidden);
      setHidden(s.el, !any);
      setHidden(s.toc, !any);
    }
    if (active && groupsShown <= AUTO_OPEN) {
      for (const g of groups) if (!g.el.hidden && isDetails(g.el)) g.el.open = true;
    }
    none.hidden = groupsShown > 0;
    status.textContent = active
      ? `${groupsShown} of ${groups.length} sections, ${itemsShown} of ${itemCount} changes match`
      : `${groups.length} sections, ${itemCount} changes`;
    doc.body.classList.toggle('filtered', active);
  }

  function clearFilter() {
    query.value = '';
    kind.value = '';
    for (const b of boxes) b.checked = true;
  }

  let timer = 0;
  query.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(apply, 60);
  });
  query.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      query.value = '';
      apply();
    }
  });
  kind.addEventListener('change', apply);
  for (const b of boxes) b.addEventListener('change', apply);

  const setOpen = (open) => {
    for (const g of groups) if (isDetails(g.el) && (!open || !g.el.hidden)) g.el.open = open;
  };
  byId('_expand').addEventListener('click', () => setOpen(true));
  byId('_collapse').addEventListener('click', () => setOpen(false));

  // A count in the header filters to its kind and change type.
  doc.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-f]');
    if (!a) return;
    e.preventDefault();
    clearFilter();
    kind.value = a.dataset.f;
    if (a.dataset.c) for (const b of boxes) b.checked = b.value === a.dataset.c;
    apply();
    const first = groups.find((g) => !g.el.hidden);
    if (first) first.el.scrollIntoView({ block: 'start' });
  });

  // `/` jumps to the filter, as on code hosts.
  doc.addEventListener('keydown', (e) => {
    if (e.key === '/' && doc.activeElement !== query && !/^(INPUT|SELECT|TEXTAREA)$/.test(doc.activeElement.tagName)) {
      e.preventDefault();
      query.focus();
    }
  });

  // A link to a component inside a collapsed (or filtered-out) section opens it.
  function reveal() {
    let id = '';
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch (_) {
      return;
    }
    const el = id && byId(id);
    if (!el || !el.closest('main')) return;
    if (el.closest('[hidden]')) {
      clearFilter();
      apply();
    }
    for (let d = el.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
    el.scrollIntoView({ block: 'start' });
  }
  addEventListener('hashchange', reveal);

  // Printing shows every section open; closing them again afterwards.
  let reopened = [];
  addEventListener('beforeprint', () => {
    reopened = groups.filter((g) => isDetails(g.el) && !g.el.open).map((g) => g.el);
    for (const d of reopened) d.open = true;
  });
  addEventListener('afterprint', () => {
    for (const d of reopened) d.open = false;
    reopened = [];
  });

  bar.hidden = false;
  // The sticky bar's height, for what must not hide under it (contents, scrolled-to anchors).
  const barHeight = () => doc.documentElement.style.setProperty('--bar', `${bar.offsetHeight}px`);
  if (window.ResizeObserver) new ResizeObserver(barHeight).observe(bar);
  barHeight();
  apply();
  if (location.hash) reveal();
})();
