// Pass-through check: Mono WCF, with the proxy svcutil generated from the
// bridge's ?wsdl in pass-through mode, calls GetDocument (an operation the
// bridge does not handle) over BasicHttpBinding with HTTP Basic, and must get
// the upstream's answer field for field; a GetDocument of a missing document
// must raise System.ServiceModel.FaultException with the upstream's message.
//
//     mono client.exe --endpoint URL --expected FILE --user U --password P [--calls URL] [--soap 11]
//
// Built by ../mono-wcf/run.sh with MONO_CLIENT pointing here. Prints
// `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`.
using System;
using System.Collections.Generic;
using System.IO;
using System.ServiceModel;
using System.Web.Script.Serialization;
using T = schemas.therefore.net.webservices.interop.v0001.types;

static class Program
{
    static int passed, failed;

    static void Check(bool ok, string desc, string detail)
    {
        if (ok) { passed++; Console.WriteLine("ok - " + desc); }
        else { failed++; Console.WriteLine("FAIL - " + desc + ": " + detail); }
    }

    static int Main(string[] argv)
    {
        var args = new Dictionary<string, string> { { "--soap", "11" } };
        for (int i = 0; i + 1 < argv.Length; i += 2) args[argv[i]] = argv[i + 1];
        if (!args.ContainsKey("--endpoint") || !args.ContainsKey("--expected") || !args.ContainsKey("--user") || args["--soap"] != "11")
        {
            Console.Error.WriteLine("usage: client.exe --endpoint URL --expected FILE --user U --password P [--soap 11]");
            return 2;
        }
        var want = (Dictionary<string, object>)new JavaScriptSerializer().DeserializeObject(File.ReadAllText(args["--expected"]));
        var binding = new BasicHttpBinding { SendTimeout = TimeSpan.FromSeconds(30), ReceiveTimeout = TimeSpan.FromSeconds(30) };
        binding.Security.Mode = BasicHttpSecurityMode.TransportCredentialOnly;
        binding.Security.Transport.ClientCredentialType = HttpClientCredentialType.Basic;
        var client = new ThereforeServiceClient(binding, new EndpointAddress(args["--endpoint"]));
        client.ClientCredentials.UserName.UserName = args["--user"];
        client.ClientCredentials.UserName.Password = args["--password"];

        var request = (Dictionary<string, object>)want["request"];
        try
        {
            var result = client.GetDocument(new T.GetDocumentParams { DocNo = (int)request["DocNo"] });
            var doc = result.Document;
            foreach (var kv in (Dictionary<string, object>)want["document"])
            {
                var prop = typeof(T.WSDocument).GetProperty(kv.Key);
                var got = prop == null ? "(no such member)" : prop.GetValue(doc, null);
                Check(Equals(got, kv.Value), "GetDocument: Document." + kv.Key, string.Format("got {0}, want {1}", got ?? "null", kv.Value ?? "null"));
            }
        }
        catch (Exception e) { Check(false, "GetDocument: call succeeds", e.GetType().FullName + ": " + e.Message); }

        var missing = (Dictionary<string, object>)want["missing"];
        try
        {
            client.GetDocument(new T.GetDocumentParams { DocNo = (int)missing["DocNo"] });
            Check(false, "GetDocument of a missing document raises FaultException", "no exception raised");
        }
        catch (FaultException fe)
        {
            Console.WriteLine("#   fault code={0} message={1}", fe.Code == null ? "" : fe.Code.Name, fe.Message);
            Check(fe.Message == (string)want["fault"], "the upstream's fault reaches WCF as its FaultException", fe.Message);
        }
        catch (Exception e) { Check(false, "GetDocument of a missing document raises FaultException", e.GetType().FullName + ": " + e.Message); }
        try { client.Close(); } catch { client.Abort(); }
        Console.WriteLine("{0} passed, {1} failed", passed, failed);
        return failed > 0 ? 1 : 0;
    }
}
