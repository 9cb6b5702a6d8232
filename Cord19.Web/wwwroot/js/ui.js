// Keeps a scrolling log pinned to its newest line, unless the reader has scrolled up to read older ones.
window.cord19Ui = {
    followEnd(element) {
        if (!element) return;
        const nearEnd = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
        if (nearEnd || !element.__cord19Followed) element.scrollTop = element.scrollHeight;
        element.__cord19Followed = true;
    }
};
