<?php
// Interop check: PHP SoapClient (WSDL mode) as a client of thereforebridge.
//
//     php client.php --wsdl URL_OF_WSDL --calls URL_OF_CALL_LOG --expected expected.json [--soap 11|12]
//         [--user U --password P]
//
// Loads the bridge's ?wsdl the ordinary way (new SoapClient($wsdl, [...]) with
// soap_version SOAP_1_1 or SOAP_1_2, and for HTTP Basic the options login,
// password and authentication => SOAP_AUTHENTICATION_BASIC), calls SaveOutOfOfficeInfoForUser and
// SavePortalUser with plain PHP arrays shaped like the WSDL's types, reads the
// bridge's call log and compares every field with ../expected.json, then sends
// one invalid SavePortalUser (QueryNo = CtgryNo = 0) and expects a SoapFault
// whose faultstring names QueryNo. With --user, a last check builds a second
// SoapClient whose password is wrong and expects its call to throw SoapFault.
//
// Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`; exits 1
// when anything failed.

const TIMEOUT = 30;

$passed = 0;
$failed = 0;

function ok($desc)
{
    global $passed;
    $passed++;
    echo "ok - $desc\n";
}

function fail($desc, $detail)
{
    global $failed;
    $failed++;
    echo "FAIL - $desc: $detail\n";
}

function show($v)
{
    return $v === ABSENT ? '(absent)' : json_encode($v, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

const ABSENT = "\0absent\0";

// compare checks decoded (the call log's params) against want (expected.json):
// same members, same JSON types and values; a decoded member that was not
// sent fails unless it is null. Objects are decoded as associative arrays, so
// a JSON list is an array with keys 0..n-1.
function compare($path, $want, $got)
{
    if (is_array($want) && !array_is_list($want)) {
        if (!is_array($got) || (array_is_list($got) && $got !== [])) {
            fail($path, 'sent ' . show($want) . ', decoded ' . show($got));
            return;
        }
        foreach ($want as $k => $v) {
            compare("$path.$k", $v, array_key_exists($k, $got) ? $got[$k] : ABSENT);
        }
        foreach ($got as $k => $v) {
            if (!array_key_exists($k, $want) && $v !== null) {
                fail("$path.$k (not sent)", 'sent (absent), decoded ' . show($v));
            }
        }
        return;
    }
    if (is_array($want)) {
        if (!is_array($got) || !array_is_list($got)) {
            fail("$path (array)", 'sent ' . show($want) . ', decoded ' . show($got));
            return;
        }
        if (count($got) != count($want)) {
            fail("$path (item count)", 'sent ' . count($want) . ', decoded ' . count($got));
        } else {
            ok("$path (item count " . count($want) . ")");
        }
        foreach ($want as $i => $v) {
            compare("{$path}[$i]", $v, $i < count($got) ? $got[$i] : ABSENT);
        }
        return;
    }
    if ($got !== ABSENT && $got === $want) {
        ok("$path = " . show($want));
    } else {
        fail($path, 'sent ' . show($want) . ', decoded ' . show($got));
    }
}

function user($name, $domain, $id)
{
    $u = [];
    if ($domain !== null) $u['DomainName'] = $domain;
    if ($id !== null) $u['UserId'] = $id;
    if ($name !== null) $u['UserName'] = $name;
    $u['UserType'] = 'SingleUser';
    return $u;
}

function build_oof()
{
    return [
        'User' => user('jdoe', 'CORP', null),
        'IsOutOfOfficeEnabled' => true,
        'DelegateUsersToAdd' => ['WSUserUniversalIdentifier' => [
            user('asmith', 'CORP', null),
            user(null, null, 42),
        ]],
    ];
}

function build_portal()
{
    return [
        'IsOneTimePwd' => true,
        'PortalUser' => [
            'Email' => 'portal@example.com',
            'QueryNo' => 12,
            'UserName' => 'portal1',
            'UserPwd' => 's3cret!',
            'Conditions' => ['WSCondition' => [
                ['Condition' => '>=5', 'FieldNoOrName' => 'Amount', 'TimeZone' => 'UTC'],
                ['Condition' => '2024-01-01', 'FieldNoOrName' => 'Created', 'TimeZone' => 'ServerLocal'],
            ]],
            'IndexDataItems' => ['WSIndexDataItem' => [
                ['StringIndexData' => ['FieldNo' => 1, 'DataValue' => 'hello']],
                ['IntIndexData' => ['FieldNo' => 2, 'DataValue' => 7]],
                ['DateIndexData' => ['FieldNo' => 3, 'DataISO8601Value' => '2017-07-23']],
                ['LogicalIndexData' => ['FieldNo' => 4, 'DataValue' => true]],
                // xs:decimal: a string keeps the scale ("1234.50"), a float would not.
                ['MoneyIndexData' => ['FieldNo' => 5, 'DecimalDataValue' => '1234.50']],
                ['SingleKeywordData' => ['FieldNo' => 6, 'DataValue' => 'Sales']],
                ['TableIndexData' => ['FieldNo' => 7, 'DataValue' => ['WSTableFieldDataRow' => [
                    ['RowNo' => 0, 'DataRowItems' => ['WSTableFieldDataRowItem' => [
                        ['StringIndexData' => ['FieldNo' => 71, 'DataValue' => 'row-a']],
                        ['IntIndexData' => ['FieldNo' => 72, 'DataValue' => 3]],
                    ]]],
                ]]]],
            ]],
        ],
    ];
}

// client builds the SoapClient; $login is [user, password] or null.
function client($wsdl, $soap, $login)
{
    $options = [
        'soap_version' => $soap === '12' ? SOAP_1_2 : SOAP_1_1,
        'cache_wsdl' => WSDL_CACHE_NONE,
        'exceptions' => true,
        'trace' => true,
        'connection_timeout' => TIMEOUT,
    ];
    if ($login !== null) {
        $options['login'] = $login[0];
        $options['password'] = $login[1];
        $options['authentication'] = SOAP_AUTHENTICATION_BASIC;
    }
    return new SoapClient($wsdl, $options);
}

function main($argv)
{
    $opts = ['--soap' => '11', '--expected' => __DIR__ . '/../expected.json'];
    for ($i = 1; $i + 1 < count($argv); $i += 2) {
        $opts[$argv[$i]] = $argv[$i + 1];
    }
    if (!isset($opts['--wsdl'], $opts['--calls']) || !in_array($opts['--soap'], ['11', '12'], true)) {
        fwrite(STDERR, "usage: php client.php --wsdl URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]\n");
        return 2;
    }
    $soap = $opts['--soap'];
    $expected = json_decode(file_get_contents($opts['--expected']), true, 512, JSON_THROW_ON_ERROR);
    ini_set('default_socket_timeout', (string) TIMEOUT);

    $login = isset($opts['--user']) ? [$opts['--user'], $opts['--password'] ?? ''] : null;
    try {
        $client = client($opts['--wsdl'], $soap, $login);
        ok("WSDL loaded (SOAP $soap)");
    } catch (Throwable $e) {
        fail('load WSDL ' . $opts['--wsdl'], get_class($e) . ': ' . $e->getMessage());
        return;
    }

    $ops = [
        'SaveOutOfOfficeInfoForUser' => build_oof(),
        'SavePortalUser' => build_portal(),
    ];
    foreach ($ops as $op => $params) {
        try {
            $client->__soapCall($op, [['parameters' => $params]]);
            ok("$op: call succeeds");
        } catch (Throwable $e) {
            fail("$op: call succeeds", get_class($e) . ': ' . $e->getMessage());
            echo "#   request: " . $client->__getLastRequest() . "\n";
            echo "#   response: " . $client->__getLastResponse() . "\n";
        }
    }

    $entries = null;
    $ctx = stream_context_create(['http' => ['timeout' => TIMEOUT]]);
    $body = @file_get_contents($opts['--calls'], false, $ctx);
    if ($body === false) {
        fail('call log fetched from ' . $opts['--calls'], error_get_last()['message'] ?? 'error');
    } else {
        $entries = json_decode($body, true);
        if (!is_array($entries) || !array_is_list($entries) || count($entries) < 2) {
            fail('call log has at least 2 entries', substr($body, 0, 200));
            $entries = null;
        } else {
            ok('call log fetched (' . count($entries) . ' entries)');
        }
    }
    if ($entries !== null) {
        $last = array_slice($entries, -2);
        foreach (array_keys($ops) as $i => $op) {
            $entry = $last[$i];
            compare("$op: operation", $op, $entry['operation'] ?? ABSENT);
            compare("$op: parameters", $expected[$op], array_key_exists('params', $entry) ? $entry['params'] : ABSENT);
        }
    }

    $desc = 'SavePortalUser with QueryNo=0, CtgryNo=0';
    try {
        $client->SavePortalUser(['parameters' => ['PortalUser' => ['Email' => 'x@example.com', 'QueryNo' => 0, 'CtgryNo' => 0]]]);
        fail("$desc: raises SoapFault", 'no exception raised');
    } catch (SoapFault $f) {
        ok("$desc: raises SoapFault");
        echo "#   faultcode=" . json_encode($f->faultcode) . " faultstring=" . json_encode($f->faultstring) . "\n";
        // faultcode is the code as the server wrote it: s:Client over SOAP 1.1,
        // the 1.2 Code/Value (s:Sender) over SOAP 1.2.
        $want = $soap === '12' ? 'Sender' : 'Client';
        $code = preg_replace('/^.*:/', '', (string) $f->faultcode);
        if ($code === $want) ok("$desc: faultcode is $want"); else fail("$desc: faultcode is $want", 'got ' . json_encode($f->faultcode));
        if (str_contains((string) $f->faultstring, 'QueryNo')) ok("$desc: faultstring mentions QueryNo");
        else fail("$desc: faultstring mentions QueryNo", 'faultstring was ' . json_encode($f->faultstring));
    } catch (Throwable $e) {
        fail("$desc: raises SoapFault", get_class($e) . ': ' . $e->getMessage());
    }

    if ($login !== null) {
        $desc = 'SaveOutOfOfficeInfoForUser with a wrong password';
        try {
            $wrong = client($opts['--wsdl'], $soap, [$login[0], 'wrong-' . $login[1]]);
            $wrong->SaveOutOfOfficeInfoForUser(['parameters' => build_oof()]);
            fail("$desc: raises SoapFault", 'no exception raised');
        } catch (SoapFault $f) {
            ok("$desc: raises SoapFault");
            $status = isset($wrong) ? preg_replace('/\r?\n.*/s', '', (string) $wrong->__getLastResponseHeaders()) : '';
            echo "#   faultcode=" . json_encode($f->faultcode) . " faultstring=" . json_encode($f->faultstring) . " ($status)\n";
        } catch (Throwable $e) {
            fail("$desc: raises SoapFault", get_class($e) . ': ' . $e->getMessage());
        }
    }
}

try {
    if (main($argv) === 2) {
        exit(2); // usage
    }
} catch (Throwable $e) {
    fail('unexpected exception', get_class($e) . ': ' . $e->getMessage());
}
echo "$passed passed, $failed failed\n";
exit($failed > 0 ? 1 : 0);
