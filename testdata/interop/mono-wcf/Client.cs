// Interop check: Mono WCF as a client of thereforebridge.
//
//     mono client.exe --endpoint URL --calls URL_OF_CALL_LOG --expected expected.json [--soap 11|12|12wsa]
//         [--user U --password P]
//
// Compiled together with the proxy that svcutil generated from the bridge's
// ?wsdl (run.sh does both). Calls SaveOutOfOfficeInfoForUser and
// SavePortalUser through the generated ThereforeServiceClient with values built
// from the generated data contracts, reads the bridge's call log and compares
// every field with ../expected.json, then sends one invalid SavePortalUser
// (QueryNo = CtgryNo = 0) and expects a System.ServiceModel.FaultException
// whose message names QueryNo.
//
// --soap picks the binding the way a WCF user would configure it:
//   11     BasicHttpBinding (SOAP 1.1, the WSDL's ThereforeWS0001_SoapUserPassword)
//   12     CustomBinding, TextMessageEncoding MessageVersion.Soap12 (the WSDL's
//          ThereforeWS0001_Soap12UserPassword: SOAP 1.2, no WS-Addressing)
//   12wsa  CustomBinding, MessageVersion.Soap12WSAddressing10 (what a
//          WSHttpBinding-style client sends: wsa:Action/To with mustUnderstand)
//
// --user/--password are HTTP Basic credentials, configured the WCF way:
// BasicHttpBinding with Security.Mode TransportCredentialOnly and
// Transport.ClientCredentialType Basic (the custom bindings: their
// HttpTransportBindingElement with AuthenticationScheme Basic), and the user
// name and password in ClientCredentials.UserName. WCF sends a call without
// credentials first and repeats it with them after the 401 challenge. With
// them, a last check calls through a second client whose password is wrong and
// expects WCF's exception for a rejected HTTP login.
//
// Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`; exit 1
// when anything failed.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.ServiceModel;
using System.ServiceModel.Channels;
using System.Text;
using System.Web.Script.Serialization;
using T = schemas.therefore.net.webservices.interop.v0001.types;

static class Program
{
    static int passed, failed;
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    static void Ok(string desc) { passed++; Console.WriteLine("ok - " + desc); }
    static void Fail(string desc, string detail) { failed++; Console.WriteLine("FAIL - " + desc + ": " + detail); }

    static int Main(string[] argv)
    {
        var args = new Dictionary<string, string> { { "--soap", "11" }, { "--password", "" } };
        for (int i = 0; i + 1 < argv.Length; i += 2) args[argv[i]] = argv[i + 1];
        foreach (var need in new[] { "--endpoint", "--calls", "--expected" })
        {
            if (!args.ContainsKey(need))
            {
                Console.Error.WriteLine("usage: client.exe --endpoint URL --calls URL --expected FILE [--soap 11|12|12wsa] [--user U --password P]");
                return 2;
            }
        }
        try
        {
            string user;
            args.TryGetValue("--user", out user);
            Run(args["--endpoint"], args["--calls"], args["--expected"], args["--soap"], user, args["--password"]);
        }
        catch (Exception e)
        {
            Fail("unexpected exception", e.ToString());
        }
        Console.WriteLine("{0} passed, {1} failed", passed, failed);
        return failed > 0 ? 1 : 0;
    }

    // MakeBinding: the binding for --soap, with HTTP Basic authentication when
    // basic is set.
    static Binding MakeBinding(string soap, bool basic)
    {
        switch (soap)
        {
            case "11":
                var b = new BasicHttpBinding { SendTimeout = Timeout, ReceiveTimeout = Timeout };
                if (basic)
                {
                    b.Security.Mode = BasicHttpSecurityMode.TransportCredentialOnly;
                    b.Security.Transport.ClientCredentialType = HttpClientCredentialType.Basic;
                }
                return b;
            case "12":
            case "12wsa":
                var version = soap == "12" ? MessageVersion.Soap12 : MessageVersion.Soap12WSAddressing10;
                var http = new HttpTransportBindingElement();
                if (basic) http.AuthenticationScheme = AuthenticationSchemes.Basic;
                return new CustomBinding(
                    new TextMessageEncodingBindingElement(version, Encoding.UTF8), http) { SendTimeout = Timeout, ReceiveTimeout = Timeout };
        }
        throw new ArgumentException("--soap must be 11, 12 or 12wsa, not " + soap);
    }

    // MakeClient: the generated client on the binding for --soap, logged in as
    // user when user is set.
    static ThereforeServiceClient MakeClient(string endpoint, string soap, string user, string password)
    {
        var client = new ThereforeServiceClient(MakeBinding(soap, user != null), new EndpointAddress(endpoint));
        if (user != null)
        {
            client.ClientCredentials.UserName.UserName = user;
            client.ClientCredentials.UserName.Password = password;
        }
        return client;
    }

    static T.WSUserUniversalIdentifier User(string name, string domain, int? id)
    {
        return new T.WSUserUniversalIdentifier { UserName = name, DomainName = domain, UserId = id, UserType = T.WSUserType.SingleUser };
    }

    static T.SaveOutOfOfficeInfoForUserParams BuildOOF()
    {
        return new T.SaveOutOfOfficeInfoForUserParams
        {
            User = User("jdoe", "CORP", null),
            IsOutOfOfficeEnabled = true,
            DelegateUsersToAdd = new[] { User("asmith", "CORP", null), User(null, null, 42) },
        };
    }

    static T.SavePortalUserParams BuildPortal()
    {
        var row = new T.WSTableFieldDataRow
        {
            RowNo = 0,
            DataRowItems = new[]
            {
                new T.WSTableFieldDataRowItem { StringIndexData = new T.WSIndexDataString { FieldNo = 71, DataValue = "row-a" } },
                new T.WSTableFieldDataRowItem { IntIndexData = new T.WSIndexDataInt { FieldNo = 72, DataValue = 3 } },
            },
        };
        return new T.SavePortalUserParams
        {
            IsOneTimePwd = true,
            PortalUser = new T.WSPortalUser
            {
                Email = "portal@example.com",
                QueryNo = 12,
                UserName = "portal1",
                UserPwd = "s3cret!",
                Conditions = new[]
                {
                    new T.WSCondition { Condition = ">=5", FieldNoOrName = "Amount", TimeZone = T.WSTimeZone.UTC },
                    new T.WSCondition { Condition = "2024-01-01", FieldNoOrName = "Created", TimeZone = T.WSTimeZone.ServerLocal },
                },
                IndexDataItems = new[]
                {
                    new T.WSIndexDataItem { StringIndexData = new T.WSIndexDataString { FieldNo = 1, DataValue = "hello" } },
                    new T.WSIndexDataItem { IntIndexData = new T.WSIndexDataInt { FieldNo = 2, DataValue = 7 } },
                    new T.WSIndexDataItem { DateIndexData = new T.WSIndexDataDate { FieldNo = 3, DataISO8601Value = "2017-07-23" } },
                    new T.WSIndexDataItem { LogicalIndexData = new T.WSIndexDataLogical { FieldNo = 4, DataValue = true } },
                    new T.WSIndexDataItem { MoneyIndexData = new T.WSIndexDataMoney { FieldNo = 5, DecimalDataValue = 1234.50m } },
                    new T.WSIndexDataItem { SingleKeywordData = new T.WSIndexDataSingleKeyword { FieldNo = 6, DataValue = "Sales" } },
                    new T.WSIndexDataItem { TableIndexData = new T.WSIndexDataTable { FieldNo = 7, DataValue = new[] { row } } },
                },
            },
        };
    }

    static void Run(string endpoint, string callsUrl, string expectedPath, string soap, string user, string password)
    {
        var serializer = new JavaScriptSerializer();
        var expected = (Dictionary<string, object>)serializer.DeserializeObject(File.ReadAllText(expectedPath));
        var client = MakeClient(endpoint, soap, user, password);
        Console.WriteLine("# endpoint: {0} (SOAP {1}, {2})", endpoint, soap, client.Endpoint.Binding.MessageVersion);

        var ops = new List<string>();
        try
        {
            client.SaveOutOfOfficeInfoForUser(BuildOOF());
            Ok("SaveOutOfOfficeInfoForUser: call succeeds");
        }
        catch (Exception e) { Fail("SaveOutOfOfficeInfoForUser: call succeeds", e.GetType().FullName + ": " + e.Message); }
        ops.Add("SaveOutOfOfficeInfoForUser");
        try
        {
            client.SavePortalUser(BuildPortal());
            Ok("SavePortalUser: call succeeds");
        }
        catch (Exception e) { Fail("SavePortalUser: call succeeds", e.GetType().FullName + ": " + e.Message); }
        ops.Add("SavePortalUser");

        object[] entries = null;
        try
        {
            string body;
            using (var wc = new WebClient { Encoding = Encoding.UTF8 }) body = wc.DownloadString(callsUrl);
            entries = serializer.DeserializeObject(body) as object[];
            if (entries == null || entries.Length < 2)
            {
                Fail("call log has at least 2 entries", body.Length > 200 ? body.Substring(0, 200) : body);
                entries = null;
            }
            else Ok("call log fetched (" + entries.Length + " entries)");
        }
        catch (Exception e) { Fail("call log fetched from " + callsUrl, e.Message); }
        if (entries != null)
        {
            for (int i = 0; i < 2; i++)
            {
                var op = ops[i];
                var entry = entries[entries.Length - 2 + i] as Dictionary<string, object>;
                if (entry == null) { Fail(op + ": call log entry is an object", Show(entries[entries.Length - 2 + i])); continue; }
                Compare(op + ": operation", op, Get(entry, "operation"));
                Compare(op + ": parameters", expected[op], Get(entry, "params"));
            }
        }

        const string desc = "SavePortalUser with QueryNo=0, CtgryNo=0";
        try
        {
            client.SavePortalUser(new T.SavePortalUserParams { PortalUser = new T.WSPortalUser { Email = "x@example.com", QueryNo = 0, CtgryNo = 0 } });
            Fail(desc + ": raises FaultException", "no exception raised");
        }
        catch (FaultException fe)
        {
            Ok(desc + ": raises " + fe.GetType().FullName);
            var code = fe.Code == null ? "(none)" : fe.Code.Name;
            Console.WriteLine("#   fault code={0} message={1}", code, fe.Message);
            string want = soap == "11" ? "Client" : "Sender";
            if (code == want) Ok(desc + ": fault code is " + want); else Fail(desc + ": fault code is " + want, "got " + code);
            if (fe.Message != null && fe.Message.Contains("QueryNo")) Ok(desc + ": fault message mentions QueryNo");
            else Fail(desc + ": fault message mentions QueryNo", "message was " + fe.Message);
        }
        catch (Exception e) { Fail(desc + ": raises FaultException", e.GetType().FullName + ": " + e.Message); }
        try { client.Close(); } catch { client.Abort(); }

        if (user != null) WrongPassword(endpoint, soap, user, "wrong-" + password);
    }

    // WrongPassword calls through a client whose password is wrong: WCF must
    // refuse it with its exception for a rejected HTTP login. .NET's WCF raises
    // MessageSecurityException; Mono's raises the WebException of the final 401
    // (Status ProtocolError, Response an HttpWebResponse with 401).
    static void WrongPassword(string endpoint, string soap, string user, string password)
    {
        const string desc = "SaveOutOfOfficeInfoForUser with a wrong password";
        const string want = ": raises MessageSecurityException or WebException with HTTP 401";
        var client = MakeClient(endpoint, soap, user, password);
        try
        {
            client.SaveOutOfOfficeInfoForUser(BuildOOF());
            Fail(desc + want, "no exception raised");
        }
        catch (System.ServiceModel.Security.MessageSecurityException e)
        {
            Console.WriteLine("#   {0}: {1}", e.GetType().FullName, e.Message);
            Ok(desc + ": raises " + e.GetType().FullName);
        }
        catch (WebException e)
        {
            var res = e.Response as HttpWebResponse;
            var status = res == null ? "(no response)" : ((int)res.StatusCode).ToString();
            Console.WriteLine("#   {0}: {1} (Status {2}, HTTP {3})", e.GetType().FullName, e.Message, e.Status, status);
            if (e.Status == WebExceptionStatus.ProtocolError && res != null && res.StatusCode == HttpStatusCode.Unauthorized)
                Ok(desc + ": raises " + e.GetType().FullName + " with HTTP 401");
            else
                Fail(desc + want, "WebException with Status " + e.Status + ", HTTP " + status);
        }
        catch (Exception e) { Fail(desc + want, e.GetType().FullName + ": " + e.Message); }
        client.Abort();
    }

    // ----------------------------------------------------------------------
    // Comparison of the call log with expected.json: every expected member must
    // be decoded with the same JSON type and value; a decoded member that was
    // not sent fails unless it is null.

    static readonly object Absent = new object();

    static object Get(Dictionary<string, object> d, string key)
    {
        object v;
        return d.TryGetValue(key, out v) ? v : Absent;
    }

    static string Show(object v)
    {
        if (v == Absent) return "(absent)";
        return new JavaScriptSerializer().Serialize(v);
    }

    static bool IsNumber(object v)
    {
        return v is int || v is long || v is decimal || v is double;
    }

    static void Compare(string path, object want, object got)
    {
        var wd = want as Dictionary<string, object>;
        if (wd != null)
        {
            var gd = got as Dictionary<string, object>;
            if (gd == null) { Fail(path, "sent " + Show(want) + ", decoded " + Show(got)); return; }
            foreach (var kv in wd) Compare(path + "." + kv.Key, kv.Value, Get(gd, kv.Key));
            foreach (var kv in gd)
                if (!wd.ContainsKey(kv.Key) && kv.Value != null)
                    Fail(path + "." + kv.Key + " (not sent)", "sent (absent), decoded " + Show(kv.Value));
            return;
        }
        var wa = want as object[];
        if (wa != null)
        {
            var ga = got as object[];
            if (ga == null) { Fail(path + " (array)", "sent " + Show(want) + ", decoded " + Show(got)); return; }
            if (ga.Length != wa.Length) Fail(path + " (item count)", "sent " + wa.Length + ", decoded " + ga.Length);
            else Ok(path + " (item count " + wa.Length + ")");
            for (int i = 0; i < wa.Length; i++) Compare(path + "[" + i + "]", wa[i], i < ga.Length ? ga[i] : Absent);
            return;
        }
        bool same;
        if (IsNumber(want)) same = IsNumber(got) && Convert.ToDecimal(want) == Convert.ToDecimal(got);
        else same = got != Absent && want != null && got != null && want.GetType() == got.GetType() && want.Equals(got);
        if (same) Ok(path + " = " + Show(want));
        else Fail(path, "sent " + Show(want) + ", decoded " + Show(got));
    }
}
