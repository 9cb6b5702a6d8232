namespace Cord19.Core.Pipeline;

/// <summary>
/// General English stop words (the classic Glasgow list, as scikit-learn uses) plus words that every CORD-19
/// abstract shares or that PDF parsing leaves behind; without the latter, every cluster's top terms read
/// "study, result, patient".
/// </summary>
public static class StopWords
{
    public static readonly HashSet<string> All = new(
        ("a about above across after afterwards again against all almost alone along already also although always am among " +
         "amongst amount an and another any anyhow anyone anything anyway anywhere are around as at back be became because " +
         "become becomes becoming been before beforehand behind being below beside besides between beyond both bottom but by " +
         "call can cannot could did do does doing done down due during each eg eight either eleven else elsewhere enough etc " +
         "even ever every everyone everything everywhere except few fifteen fifty fill find first five for former formerly " +
         "forty four from front full further get give go had has have he hence her here hereafter hereby herein hereupon hers " +
         "herself him himself his how however hundred i ie if in inc indeed into is it its itself just keep last latter " +
         "latterly least less ltd made many may me meanwhile might mine more moreover most mostly move much must my myself " +
         "name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on " +
         "once one only onto or other others otherwise our ours ourselves out over own part per perhaps please put rather re " +
         "same see seem seemed seeming seems serious several she should show side since six sixty so some somehow someone " +
         "something sometime sometimes somewhere still such take ten than that the their them themselves then thence there " +
         "thereafter thereby therefore therein thereupon these they third this those though three through throughout thru " +
         "thus to together too top toward towards twelve twenty two un under until up upon us very via was we well were what " +
         "whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while " +
         "whither who whoever whole whom whose why will with within without would yet you your yours yourself yourselves " +
         // CORD-19 and PDF-parse noise
         "abstract background introduction conclusion conclusions method methods result results study studies objective " +
         "objectives aim aims purpose use used using based including include includes included found however also " +
         "preprint medrxiv biorxiv copyright holder peer reviewed review author authors funder rights reserved reuse " +
         "allowed permission license licence granted display perpetuity doi org http https www fig figure table et al " +
         "elsevier springer wiley ltd inc company published publisher journal article word count text available")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);
}
