// The light/dark choice ("system", "light" or "dark"), remembered by this browser, in force from the first paint. The
// server draws each page before the circuit can ask for the choice, in MudBlazor's light palette; run in <head>, this
// marks <html> with the theme to show (data-theme="dark" or "light", following the system's as it changes), and
// EarlyTheme's copy of the dark palette applies to "dark" until the circuit's theme provider writes the same itself.
window.cord19Theme = {
    get() { try { return localStorage.getItem('cord19-theme') || 'system'; } catch { return 'system'; } },
    set(choice) {
        try { localStorage.setItem('cord19-theme', choice); } catch { /* private mode: not remembered */ }
        cord19Theme.mark();
    },
    isDark() {
        const choice = cord19Theme.get();
        return choice === 'dark' || (choice === 'system' && cord19Theme.systemDark.matches);
    },
    systemDark: matchMedia('(prefers-color-scheme: dark)'),
    mark() { document.documentElement.dataset.theme = cord19Theme.isDark() ? 'dark' : 'light'; }
};
cord19Theme.mark();
cord19Theme.systemDark.addEventListener('change', cord19Theme.mark);
