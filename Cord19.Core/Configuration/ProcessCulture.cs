using System.Globalization;

namespace Cord19.Core.Configuration;

/// <summary>
/// The panel and cord19-pipeline write English sentences, so they write their numbers the English way whatever the
/// machine's locale: under LANG=de_DE a page showed "0,2 h" beside "$0.013", and the pipeline's log "Kept 2.765 of
/// 4.992 papers". One setting at each program's start, not a culture passed at each of the 84 places that format a
/// number into a sentence; code that must not depend on it (file formats, <see cref="Costs.Money"/>) names the invariant culture
/// itself.
/// </summary>
public static class ProcessCulture
{
    public static void UseInvariant()
    {
        // The defaults reach every thread and circuit started from now on; the current ones this thread.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }
}
