namespace Cord19.Tests.Support;

/// <summary>What a page on a phone can hide without scrolling the page itself sideways.</summary>
public static class PhoneLayout
{
    /// <summary>Tables that scroll sideways inside their box: a column out of sight (the cost table's price sources were).</summary>
    public const string TablesWiderThanTheirBox = """
        () => [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
            .map(t => `${t.closest('[data-testid]')?.getAttribute('data-testid') ?? 'a table'} is ${t.scrollWidth} px wide in ${t.parentElement.clientWidth}`)
        """;
}
