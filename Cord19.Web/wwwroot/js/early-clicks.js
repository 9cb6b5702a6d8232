// Clicks made before the circuit is up are carried out once it is.
//
// The server draws each page before its circuit starts (0.4-0.7 s on a warm panel on this machine, seconds on a busy one
// or a slow link), and a button drawn then has no handler yet: a click on it did nothing, and the reader had to notice
// and click again (dotnet/aspnetcore#59317 asks Blazor for this; Angular calls it event replay). Here such a click is
// held and made again on the same button of the circuit's page, which replaces the drawn one. Links are left alone: the
// browser follows them without the circuit.
{
    const clickable = 'button, [role=button], [role=tab], [role=switch], [role=checkbox], [role=radio], [role=menuitem], [role=option], input[type=checkbox], input[type=radio]';
    // A click older than this is not made: the reader may have turned to something else.
    const patienceMs = 10_000;
    // Once the circuit is up, how long a held click waits for its button to come or be enabled (the page's first read):
    // a button the page keeps disabled must not keep the pointer busy for the whole patience.
    const afterUpMs = 3_000;
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
        element.textContent.replace(/\s+/g, ' ').trim(),
    ].join('|');

    const pathOf = element => {
        const steps = [];
        for (let node = element; node !== document.body; node = node.parentElement) {
            steps.unshift(Array.prototype.indexOf.call(node.parentElement.children, node));
        }
        return steps.join('/');
    };

    // The circuit's button for a held click: at the same place with the same name, or else the only one with that name.
    // Ids are not compared: MudBlazor makes new ones for the circuit's drawing.
    const find = click => {
        let node = document.body;
        for (const step of click.path.split('/')) node = node?.children[Number(step)];
        if (node && nameOf(node) === click.name) return node;
        const same = [...document.querySelectorAll(clickable)].filter(element => nameOf(element) === click.name);
        return same.length === 1 ? same[0] : null;
    };

    const dropped = () => console.info('A click made before the page was ready was dropped: its button did not come, or stayed disabled.');

    const usable = element => element && !element.disabled && element.getAttribute('aria-disabled') !== 'true';

    // A held click is made once its button is there and enabled: the circuit's first drawing may still lack it, or
    // have it disabled until the page's first read. Past its time it is dropped.
    const settle = () => {
        const now = performance.now();
        const up = !waiting();
        if (up) upAt ??= now;
        for (let i = 0; i < held.length; i++) {
            const click = held[i];
            if (up) click.until = Math.min(click.until, upAt + afterUpMs);
            const expired = now > click.until;
            const target = up && !expired ? find(click) : null;
            if (!usable(target) && !expired) continue;
            held.splice(i--, 1);
            if (usable(target)) target.click();
            else dropped();
        }
        if (held.length === 0) { stopWatching(); return; }
        clearTimeout(timer);
        timer = setTimeout(settle, Math.min(...held.map(click => click.until)) - now + 20);
    };

    const stopWatching = () => {
        watcher?.disconnect();
        watcher = null;
        clearTimeout(timer);
        document.documentElement.classList.remove('cord19-click-held');
    };

    const watch = () => {
        document.documentElement.classList.add('cord19-click-held');
        if (watcher) return;
        watcher = new MutationObserver(settle);
        watcher.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-interactive', 'disabled', 'aria-disabled'] });
    };

    window.addEventListener('click', event => {
        if (!event.isTrusted || !waiting() || !(event.target instanceof Element)) return;
        const element = event.target.closest(clickable);
        // A button of a plain form (sign-out) is posted by the browser itself.
        if (!element || element.closest('a[href]') || element.form?.hasAttribute('action')) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        const click = { path: pathOf(element), name: nameOf(element), until: performance.now() + patienceMs };
        // A second click on a button that did nothing is the reader asking again, not asking twice.
        if (!held.some(other => other.path === click.path && other.name === click.name)) held.push(click);
        watch();
        settle();
    }, true);
}
