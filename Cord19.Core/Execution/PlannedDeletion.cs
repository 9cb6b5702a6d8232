namespace Cord19.Core.Execution;

/// <summary>
/// One line of de-allocation's dry run: what will be deleted, whether the ledger knows it, whether the tag sweep
/// found it (a resource only the tags know of is one a crash left unrecorded), and its state now.
/// </summary>
public sealed record PlannedDeletion(string Kind, string Locator, string? Description, bool InLedger, bool FoundByTags, string? State);
