namespace Cord19.Tests.Support;

/// <summary>Every named client sends through one handler: a scripted server at the seam the code under test owns.</summary>
public sealed class HandlerClientFactory(HttpMessageHandler handler) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
}
