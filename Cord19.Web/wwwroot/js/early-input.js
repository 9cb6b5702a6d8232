// What a reader clicks or types before the page's circuit is up is carried out once it is.
//
// The server draws each page before its circuit starts (0.4-0.7 s on a warm panel on this machine, seconds on a busy one
// or a slow link). A button drawn then has no handler yet: a click on it did nothing, and the reader had to notice and
// click again (dotnet/aspnetcore#59317 asks Blazor for this; Angular calls it event replay). A field drawn then is
// replaced by the circuit's drawing: what was typed in it was lost. Here such a click is held and made again on the
// same button of the circuit's page, and what was typed is put into the same field there, as if typed, with the caret
// where it was. Links are left alone: the browser follows them without the circuit.
{
    const clickable = 'button, [role=button], [role=tab], [role=switch], [role=checkbox], [role=radio], [role=menuitem], [role=option], [role=combobox], input[type=checkbox], input[type=radio]';
    // What is older than this is not made: the reader may have turned to something else.
    const patienceMs = 10_000;
    // Once the circuit is up, how long a held click or text waits for its button or field to come or be enabled (the
    // page's first read): a button the page keeps disabled must not keep the pointer busy for the whole patience.
    const afterUpMs = 3_000;
    // In the order the reader acted; a text is put in before the clicks made after it (a field typed, then Save).
    const held = [];
    let watcher = null;
    let timer = 0;
    let upAt = null;

    // 'false' until the circuit has drawn the page and set it up (MainLayout); a page without the attribute (sign-in) has
    // no circuit to wait for.
    const waiting = () => document.querySelector('[data-testid=app]')?.dataset.interactive === 'false';

    const nameOf = element => [
        element.tagName,
        element.getAttribute('data-testid') ?? '',
        element.getAttribute('aria-label') ?? '',
        element.getAttribute('title') ?? '',
        element.getAttribute('placeholder') ?? '',
        element.labels?.[0]?.textContent ?? '',
        element.textContent.replace(/\s+/g, ' ').trim(),
    ].join('|');

    const pathOf = element => {
        const steps = [];
        for (let node = element; node !== document.body; node = node.parentElement) {
            steps.unshift(Array.prototype.indexOf.call(node.parentElement.children, node));
        }
        return steps.join('/');
    };

    // The circuit's element for a held action: at the same place with the same name, or else the only one with that
    // name. Ids are not compared: MudBlazor makes new ones for the circuit's drawing.
    const find = action => {
        let node = document.body;
        for (const step of action.path.split('/')) node = node?.children[Number(step)];
        if (node && nameOf(node) === action.name) return node;
        const same = [...document.querySelectorAll(action.typed === undefined ? clickable : 'input, textarea')]
            .filter(element => nameOf(element) === action.name);
        return same.length === 1 ? same[0] : null;
    };

    // A screen reader hears what the pointer shows: a click is held, or was dropped. Cleared once a click is made.
    const say = text => {
        const status = document.getElementById('cord19-early-input-status');
        if (status && status.textContent !== text) status.textContent = text;
    };

    const usable = element => element && !element.disabled && !element.readOnly && element.getAttribute('aria-disabled') !== 'true';

    // A select (MudSelect) opens on the press of its box, not on the click that follows it.
    const press = target => {
        const at = target.getBoundingClientRect();
        const options = { bubbles: true, cancelable: true, button: 0, clientX: at.left + at.width / 2, clientY: at.top + at.height / 2 };
        target.dispatchEvent(new MouseEvent('mousedown', options));
        target.dispatchEvent(new MouseEvent('mouseup', options));
    };

    const carryOut = (action, target) => {
        if (action.typed === undefined) { if (target.matches('[role=combobox]')) press(target); else target.click(); return; }
        if (target.value !== action.typed) {
            target.value = action.typed;
            target.dispatchEvent(new Event('input', { bubbles: true }));
            target.dispatchEvent(new Event('change', { bubbles: true }));
        }
        // The reader was typing there, and the circuit's drawing took the caret away with the field.
        if (action.typedLast && (document.activeElement === document.body || document.activeElement === null)) {
            target.focus({ preventScroll: true });
            if (action.caret !== null && target.selectionEnd !== null) target.setSelectionRange(action.caret, action.caret);
        }
    };

    // A held action is carried out once its element is there and enabled: the circuit's first drawing may still lack
    // it, or have it disabled until the page's first read. Past its time it is dropped.
    const settle = () => {
        const now = performance.now();
        const up = !waiting();
        let made = false, dropped = false;
        if (up) upAt ??= now;
        for (let i = 0; i < held.length; i++) {
            const action = held[i];
            if (up) action.until = Math.min(action.until, upAt + afterUpMs);
            const expired = now > action.until;
            const target = up && !expired ? find(action) : null;
            if (!usable(target) && !expired) {
                // Later clicks wait for an earlier text, so that they act on it.
                if (action.typed !== undefined) break;
                continue;
            }
            held.splice(i--, 1);
            if (usable(target)) { carryOut(action, target); made = true; continue; }
            dropped = true;
            console.info('What was clicked or typed before the page was ready was dropped: its button or field did not come, or stayed disabled.');
        }
        const holding = held.some(action => action.typed === undefined);
        document.documentElement.classList.toggle('cord19-click-held', holding);
        if (dropped) say('What you clicked or typed while the page was connecting could not be done: please do it again.');
        else if (holding) say('The page is still connecting: your click will be made once it has.');
        else if (made) say('');
        clearTimeout(timer);
        if (held.length === 0) { watcher?.disconnect(); watcher = null; return; }
        timer = setTimeout(settle, Math.min(...held.map(action => action.until)) - now + 20);
        if (watcher) return;
        watcher = new MutationObserver(settle);
        watcher.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-interactive', 'disabled', 'aria-disabled', 'readonly'] });
    };

    window.addEventListener('click', event => {
        if (!event.isTrusted || !waiting() || !(event.target instanceof Element)) return;
        // A select's arrow (and border) are beside its box, not in it; its label takes no clicks.
        const element = event.target.closest(clickable) ?? event.target.closest('.mud-select')?.querySelector('[role=combobox]');
        // A button of a plain form (sign-out) is posted by the browser itself.
        if (!element || element.closest('a[href]') || element.form?.hasAttribute('action')) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        const click = { path: pathOf(element), name: nameOf(element), until: performance.now() + patienceMs };
        // The reader has left the field typed in last.
        held.forEach(other => { other.typedLast = false; });
        // A second click on a button that did nothing is the reader asking again, not asking twice.
        if (!held.some(other => other.typed === undefined && other.path === click.path && other.name === click.name)) held.push(click);
        settle();
    }, true);

    window.addEventListener('input', event => {
        const field = event.target;
        if (!event.isTrusted || !waiting() || !(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
        if (field.type === 'checkbox' || field.type === 'radio') return;
        const path = pathOf(field), name = nameOf(field);
        // More typing in a field keeps its place among the reader's actions (a click after it acts on the latest text).
        let text = held.find(other => other.typed !== undefined && other.path === path && other.name === name);
        if (!text) held.push(text = { path, name });
        // The focus goes back only to the field typed in last.
        held.forEach(other => { other.typedLast = false; });
        text.typedLast = true;
        text.typed = field.value;
        text.caret = field.selectionEnd; // null in a field without a caret (a number's)
        text.until = performance.now() + patienceMs;
        settle();
    }, true);
}
