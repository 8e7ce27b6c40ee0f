<?php
// Pass-through check: PHP SoapClient in WSDL mode on the bridge's ?wsdl in
// pass-through mode calls GetDocument, an operation the bridge does not
// handle, and must get the upstream's answer field for field; a GetDocument
// of a missing document must raise SoapFault with the upstream's message.
//
//   php php_client.php --wsdl URL --expected FILE [--soap 11|12] --user U --password P
//
// Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`.
$opts = ['--soap' => '11'];
for ($i = 1; $i + 1 < $argc; $i += 2) {
    $opts[$argv[$i]] = $argv[$i + 1];
}
foreach (['--wsdl', '--expected', '--user', '--password'] as $k) {
    if (!isset($opts[$k])) {
        fwrite(STDERR, "usage: php php_client.php --wsdl URL --expected FILE [--soap 11|12] --user U --password P\n");
        exit(2);
    }
}
$want = json_decode(file_get_contents($opts['--expected']), true);
$passed = $failed = 0;
function check($cond, $desc, $detail = '') {
    global $passed, $failed;
    if ($cond) { $passed++; echo "ok - $desc\n"; } else { $failed++; echo "FAIL - $desc: $detail\n"; }
}
$client = new SoapClient($opts['--wsdl'], [
    'soap_version' => $opts['--soap'] === '12' ? SOAP_1_2 : SOAP_1_1,
    'login' => $opts['--user'], 'password' => $opts['--password'], 'authentication' => SOAP_AUTHENTICATION_BASIC,
    'cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true, 'connection_timeout' => 30,
]);
try {
    $r = $client->GetDocument(['parameters' => $want['request']]);
    $doc = (array)$r->GetDocumentResult->Document;
    foreach ($want['document'] as $k => $v) {
        $got = array_key_exists($k, $doc) ? $doc[$k] : null;
        // SoapClient maps xs:int to int and a nil member to null.
        check($got === $v, "GetDocument: Document.$k", var_export($got, true) . ' want ' . var_export($v, true));
    }
    $extra = array_diff(array_keys(array_filter($doc, fn($v) => $v !== null)), array_keys($want['document']));
    check(!$extra, 'GetDocument: no member beyond the upstream\'s', implode(',', $extra));
} catch (Throwable $e) {
    check(false, 'GetDocument: call succeeds', get_class($e) . ': ' . $e->getMessage());
}
try {
    $client->GetDocument(['parameters' => $want['missing']]);
    check(false, 'GetDocument of a missing document raises SoapFault', 'no exception');
} catch (SoapFault $f) {
    echo "#   fault code={$f->faultcode} message={$f->getMessage()}\n";
    check($f->getMessage() === $want['fault'], 'the upstream\'s fault reaches PHP as its SoapFault', $f->getMessage());
} catch (Throwable $e) {
    check(false, 'GetDocument of a missing document raises SoapFault', get_class($e) . ': ' . $e->getMessage());
}
echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
