// Keeps a scrolling log pinned to its newest line, unless the reader has scrolled up to read older ones.
window.cord19Ui = {
    followEnd(element) {
        if (!element) return;
        const nearEnd = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
        if (nearEnd || !element.__cord19Followed) element.scrollTop = element.scrollHeight;
        element.__cord19Followed = true;
    },

    // Scrolls an element into sight only when it is out of it: on a phone a map point's document opens below the
    // map, where a tap seemed to do nothing; beside the map on a desktop it is already in sight.
    reveal(selector) {
        const element = document.querySelector(selector);
        if (!element) return;
        const box = element.getBoundingClientRect();
        if (box.top < 0 || box.top > window.innerHeight - 48) element.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    },

    // The browser's time zone (an IANA id), in which the panel writes moments.
    timeZone() { try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch { return null; } },

    // Brings the first field marked in error into view and puts the cursor in it.
    showFirstError() {
        const field = document.querySelector('.mud-input-error');
        if (!field) return;
        field.scrollIntoView({ block: 'center' });
        const input = field.closest('.mud-input-control')?.querySelector('input, textarea');
        if (input) input.focus({ preventScroll: true });
    }
};

// For the server's first drawing of the next page, which cannot ask the browser (Moments.CookieName).
{
    const zone = cord19Ui.timeZone();
    if (zone) document.cookie = `cord19-tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
}
