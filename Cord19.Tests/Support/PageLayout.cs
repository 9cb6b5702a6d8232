using System.Text.Json;
using Cord19.Web.Components.Controls;
using Microsoft.Playwright;

namespace Cord19.Tests.Support;

/// <summary>
/// What a page can hide or garble without scrolling itself sideways: on a phone above all, and in a desktop's narrow
/// columns too.
/// </summary>
public static class PageLayout
{
    /// <summary>Tables that scroll sideways inside their box: a column out of sight (the cost table's price sources were).</summary>
    private const string TablesWiderThanTheirBox = """
        () => [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
            .map(t => `${t.closest('[data-testid]')?.getAttribute('data-testid') ?? 'a table'} is ${t.scrollWidth} px wide in ${t.parentElement.clientWidth}`)
        """;

    /// <summary>
    /// Cells a table shows stacked (one labelled line each) with no label: a bare "637" under "0" says nothing (the
    /// Results page's tables did this on a phone). A cell holding only a button needs none: the button names itself.
    /// </summary>
    private const string StackedCellsWithoutLabel = """
        () => [...document.querySelectorAll('tbody td')]
            .filter(td => td.offsetParent !== null && getComputedStyle(td).display !== 'table-cell' && !td.getAttribute('data-label'))
            .filter(td => [...td.querySelectorAll('button')].map(b => b.innerText).join('').trim() !== td.innerText.trim())
            .reduce((tables, td) => tables.set(td.closest('table'), [...(tables.get(td.closest('table')) ?? []), td]), new Map())
            .entries().map(([table, cells]) => `${table.closest('[data-testid]')?.getAttribute('data-testid') ?? 'a table'} shows ` +
                `${cells.length} cells stacked without their column's name, the first "${cells[0].innerText.trim().slice(0, 30)}"`).toArray()
        """;

    /// <summary>
    /// Command buttons (capitals, as MudBlazor draws them) whose label takes two lines ("DE-" over "ALLOCATE" did) or
    /// runs past the button's padding (a squeezed button's did).
    /// </summary>
    private const string SqueezedButtons = """
        () => [...document.querySelectorAll('.mud-button-label')]
            .filter(label => label.offsetParent !== null && getComputedStyle(label.closest('.mud-button-root')).textTransform === 'uppercase')
            .flatMap(label => {
                const button = label.closest('.mud-button-root'), style = getComputedStyle(button);
                const name = `the button "${label.innerText.replace(/\s+/g, ' ').trim()}"`;
                // The text's own line boxes: the label's box also holds an icon, lower than the text's baseline.
                const lines = new Set(), texts = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
                for (let node = texts.nextNode(); node; node = texts.nextNode()) {
                    const text = document.createRange();
                    text.selectNodeContents(node);
                    [...text.getClientRects()].filter(r => r.width > 0).forEach(r => lines.add(Math.round(r.bottom)));
                }
                const room = button.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return lines.size > 1 ? [`${name} takes two lines`]
                    : label.scrollWidth > room + 1 ? [`${name} is ${label.scrollWidth} px wide in ${Math.round(room)}`] : [];
            })
        """;

    /// <summary>
    /// Dates (2020-06-24) and AWS ids (i-0fd2f00dac778da4e, cord19-172a9b1a) broken across lines at their hyphens, as a
    /// narrow column broke them: "i-" at a line's end reads as nothing, and the rest is not the id; or parted from the
    /// bracket around them (a lone ")" on the next line). What the app's
    /// Unbroken control keeps whole, looked for in all the page's text: a place that shows one without it fails. Also a
    /// table cell holding one short hyphenated word alone, a resource's kind ("ssm-parameter"), which a narrow column broke.
    /// </summary>
    private static readonly string BrokenAtHyphens = $$"""
        () => {
            const broken = [], blocks = new Set(), pattern = new RegExp({{JsonSerializer.Serialize(Unbroken.Pattern)}}, 'g');
            // A token can span text nodes ("running (" and the id in its own span): each block's text is read whole.
            const blockOf = node => { let e = node.parentElement; while (e && getComputedStyle(e).display.startsWith('inline')) e = e.parentElement; return e; };
            const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = texts.nextNode(); node; node = texts.nextNode()) {
                if (!node.parentElement || node.parentElement.offsetParent === null) continue;
                const block = blockOf(node);
                if (!block || blocks.has(block)) continue;
                blocks.add(block);
                const nodes = [], inBlock = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
                for (let t = inBlock.nextNode(); t; t = inBlock.nextNode()) if (blockOf(t) === block) nodes.push(t);
                const text = nodes.map(t => t.textContent).join('');
                const at = offset => { for (const t of nodes) { if (offset <= t.textContent.length) return [t, offset]; offset -= t.textContent.length; } };
                // A table cell of one short hyphenated word (20 characters at most) is a name too: a resource's kind ("ssm-" over
                // "parameter"; the longest, "pipeline-definition", has 19). A longer one ("cord19-572b33b7-instance") may break.
                const word = block.tagName === 'TD' && /^\s*([a-z0-9]+(?:-[a-z0-9]+)+)\s*$/.exec(text);
                const tokens = word && word[1].length <= 20 ? [Object.assign([word[1]], { index: word.index + word[0].indexOf(word[1]) })]
                    : text.matchAll(pattern);
                for (const token of tokens) {
                    const range = document.createRange();
                    range.setStart(...at(token.index));
                    range.setEnd(...at(token.index + token[0].length));
                    if (new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom))).size > 1)
                        broken.push(`${token[0]} is broken across lines in ${block.closest('[data-testid]')?.getAttribute('data-testid') ?? 'the page'}`);
                }
            }
            return broken;
        }
        """;

    /// <summary>
    /// Form fields' labels cut short: MudBlazor keeps a label on one line and ends it with an ellipsis, and the orphans'
    /// "Type delete-orphans-us-east-2 to …" lost the words saying what typing it does.
    /// </summary>
    private const string CutLabels = """
        () => [...document.querySelectorAll('label.mud-input-label')]
            .filter(label => label.offsetParent !== null && label.scrollWidth > label.clientWidth + 1)
            .map(label => `the field label "${label.innerText.trim()}" is cut to ${label.clientWidth} of its ${label.scrollWidth} px`)
        """;

    /// <summary>
    /// A card's header, content or actions wider than the card: what sticks out over the next card, or is cut by it (phase
    /// 7's Log button, 41 px past its card on a 1280 px screen).
    /// </summary>
    private const string WiderThanTheirCard = """
        () => [...document.querySelectorAll('.mud-card-header, .mud-card-content, .mud-card-actions')]
            .filter(part => part.offsetParent !== null && part.scrollWidth > part.clientWidth + 1)
            .map(part => `${part.closest('.mud-card')?.getAttribute('data-testid') ?? 'a card'}'s ${/mud-card-(\w+)/.exec(part.className)[1]} ` +
                `are ${part.scrollWidth} px wide in ${part.clientWidth}`)
        """;

    /// <summary>The innermost elements and texts that reach past the viewport's right edge, to say what to fix.</summary>
    private const string Widest = """
        () => {
          const edge = document.documentElement.clientWidth + 1;
          const over = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > edge);
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          const texts = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const range = document.createRange(); range.selectNodeContents(n);
            if (range.getBoundingClientRect().right > edge) texts.push(`text "${n.textContent.trim().slice(0, 40)}" → ${Math.round(range.getBoundingClientRect().right)} px`);
          }
          return texts.slice(0, 3).concat(over.filter(e => ![...e.children].some(c => over.includes(c))).slice(0, 6)
            .map(e => `${e.closest('.mud-appbar') ? '(app bar) ' : ''}${getComputedStyle(e).position} ${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : ''}.${String(e.className).split(' ').slice(0, 2).join('.')} → ${Math.round(e.getBoundingClientRect().right)} px`)
            ).join('; ');
        }
        """;

    /// <summary>
    /// What the page, as it stands in its viewport (a phone's or a desktop's), hides or garbles: a page wider than the viewport (with
    /// what reaches past its edge), and each check above. None, or one line a problem.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(IPage page)
    {
        var problems = new List<string>();
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        if (width > page.ViewportSize!.Width) problems.Add($"the page is {width} px wide ({await page.EvaluateAsync<string>(Widest)})");
        foreach (var check in new[] { TablesWiderThanTheirBox, StackedCellsWithoutLabel, SqueezedButtons, BrokenAtHyphens, CutLabels, WiderThanTheirCard })
            problems.AddRange((await page.EvaluateAsync<string[]>(check)).Distinct());
        return problems;
    }

    /// <summary>
    /// After the viewport changed: what is still wrong once the page has had <paramref name="settle"/> to lay itself out
    /// again. A chart redraws at its new size a moment after the resize, and the page is wider than the viewport until it
    /// has (the topics page was 1341 px wide at 1280 for that moment).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ProblemsAfterResizeAsync(IPage page, TimeSpan settle)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var problems = await ProblemsAsync(page);
        while (problems.Count > 0 && clock.Elapsed < settle)
        {
            await Task.Delay(200);
            problems = await ProblemsAsync(page);
        }
        return problems;
    }
}
