// Keeps a scrolling log pinned to its newest line, unless the reader has scrolled up to read older ones.
window.cord19Ui = {
    followEnd(element) {
        if (!element) return;
        const nearEnd = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
        if (nearEnd || !element.__cord19Followed) element.scrollTop = element.scrollHeight;
        element.__cord19Followed = true;
    },

    // Brings the first field marked in error into view and puts the cursor in it.
    showFirstError() {
        const field = document.querySelector('.mud-input-error');
        if (!field) return;
        field.scrollIntoView({ block: 'center' });
        const input = field.closest('.mud-input-control')?.querySelector('input, textarea');
        if (input) input.focus({ preventScroll: true });
    }
};

// The light/dark choice ("system", "light" or "dark"), remembered by this browser.
window.cord19Theme = {
    get() { try { return localStorage.getItem('cord19-theme') || 'system'; } catch { return 'system'; } },
    set(choice) { try { localStorage.setItem('cord19-theme', choice); } catch { /* private mode: not remembered */ } }
};
