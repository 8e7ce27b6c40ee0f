#!/usr/bin/perl
# Interop check: Perl SOAP::Lite as a client of thereforebridge.
#
#     perl client.pl --endpoint URL --calls URL_OF_CALL_LOG [--expected expected.json] [--soap 11|12]
#         [--user U --password P]
#
# SOAP::Lite has no WSDL-driven document/literal client, so its users build
# the call by hand, as here: the wrapper in the messages namespace
# (default_ns), `parameters` in the same, every member in the types namespace,
# each value typed with SOAP::Data, SOAPAction from on_action. --soap 12 sets
# SOAP::Lite->soapversion('1.2') before the client is created.
#
# Calls SaveOutOfOfficeInfoForUser and SavePortalUser, reads the bridge's call
# log and compares every field with ../expected.json, then sends one invalid
# SavePortalUser (QueryNo = CtgryNo = 0) and expects SOAP::Lite's fault: a
# SOAP::SOM whose ->fault is set and whose faultstring (SOAP 1.2: Reason/Text)
# names QueryNo.
#
# --user/--password are HTTP Basic credentials, given the LWP way SOAP::Lite's
# HTTP transport (an LWP::UserAgent) takes them: credentials for the
# endpoint's host:port and the realm of the bridge's challenge, passed as a
# proxy option (SOAP::Lite calls $transport->credentials(...)). LWP sends the
# first request without them and repeats it with them after the 401
# challenge. With them, a last check uses a second client whose password is
# wrong and expects SOAP::Lite's fault SOM over a 401 transport status.
#
# Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`; exits 1
# when anything failed.
use strict;
use warnings;

use B ();
use File::Basename qw(dirname);
use File::Spec;
use JSON::PP ();
use LWP::UserAgent ();
use SOAP::Lite;
use URI ();

my $MSG   = 'http://schemas.therefore.net/webservices/interop/v0001/messages';
my $TYPES = 'http://schemas.therefore.net/webservices/interop/v0001/types';
my $TIMEOUT = 30;
# The realm of the bridge's `WWW-Authenticate: Basic realm="..."` (auth.realm);
# LWP hands out credentials by host:port and realm.
my $REALM = 'thereforebridge';

my ($passed, $failed) = (0, 0);
sub ok   { $passed++; print "ok - $_[0]\n" }
sub fail { $failed++; print "FAIL - $_[0]: $_[1]\n" }

my $ABSENT = \"absent";

# ---------------------------------------------------------------------------
# Comparison of the call log with expected.json. JSON::PP keeps numbers as
# numbers and strings as strings; the type is read from the scalar's flags
# before anything stringifies it.

sub jtype {
	my ($v) = @_;
	return 'absent' if ref $v && $v == $ABSENT;
	return 'null'   if !defined $v;
	return 'bool'   if JSON::PP::is_bool($v);
	return 'object' if ref $v eq 'HASH';
	return 'array'  if ref $v eq 'ARRAY';
	my $flags = B::svref_2object(\$v)->FLAGS;
	return ($flags & (B::SVp_IOK | B::SVp_NOK)) && !($flags & B::SVp_POK) ? 'number' : 'string';
}

my $JSON = JSON::PP->new->canonical->allow_nonref;
sub show { my ($v) = @_; return ref $v && $v == $ABSENT ? '(absent)' : $JSON->encode($v) }

sub compare {
	my ($path, $want, $got) = @_;
	my ($wt, $gt) = (jtype($want), jtype($got));
	if ($wt eq 'object') {
		return fail($path, 'sent ' . show($want) . ', decoded ' . show($got)) if $gt ne 'object';
		for my $k (sort keys %$want) {
			compare("$path.$k", $want->{$k}, exists $got->{$k} ? $got->{$k} : $ABSENT);
		}
		for my $k (sort keys %$got) {
			next if exists $want->{$k} || !defined $got->{$k};
			fail("$path.$k (not sent)", 'sent (absent), decoded ' . show($got->{$k}));
		}
		return;
	}
	if ($wt eq 'array') {
		return fail("$path (array)", 'sent ' . show($want) . ', decoded ' . show($got)) if $gt ne 'array';
		if (@$got != @$want) {
			fail("$path (item count)", 'sent ' . scalar(@$want) . ', decoded ' . scalar(@$got));
		} else {
			ok("$path (item count " . scalar(@$want) . ')');
		}
		for my $i (0 .. $#$want) {
			compare("$path\[$i]", $want->[$i], $i < @$got ? $got->[$i] : $ABSENT);
		}
		return;
	}
	my $same = $wt eq $gt
		&& ($wt eq 'null'
			|| ($wt eq 'bool'   && (!!$want) == (!!$got))
			|| ($wt eq 'number' && $want == $got)
			|| ($wt eq 'string' && $want eq $got));
	if ($same) { ok("$path = " . show($want)) }
	else       { fail($path, 'sent ' . show($want) . ', decoded ' . show($got)) }
}

# ---------------------------------------------------------------------------
# Request values, hand-built as SOAP::Lite users do.

# el: a member in the types namespace, typed when a type is given.
sub el {
	my ($name, $value, $type) = @_;
	my $d = SOAP::Data->name($name)->attr({xmlns => $TYPES});
	if (ref $value eq 'ARRAY') {
		$d->value(\SOAP::Data->value(@$value));
	} else {
		$d->value($value);
		$d->type($type) if $type;
	}
	return $d;
}

sub parameters { SOAP::Data->name(parameters => \SOAP::Data->value(@_))->attr({xmlns => $MSG}) }

sub user {
	my (%u) = @_;
	my @members;
	push @members, el(DomainName => $u{DomainName}, 'string') if defined $u{DomainName};
	push @members, el(UserId     => $u{UserId},     'int')    if defined $u{UserId};
	push @members, el(UserName   => $u{UserName},   'string') if defined $u{UserName};
	push @members, el(UserType   => 'SingleUser',   'string');
	return \@members;
}

sub build_oof {
	return parameters(
		el(DelegateUsersToAdd => [
			el(WSUserUniversalIdentifier => user(DomainName => 'CORP', UserName => 'asmith')),
			el(WSUserUniversalIdentifier => user(UserId => 42)),
		]),
		el(IsOutOfOfficeEnabled => 'true', 'boolean'),
		el(User => user(DomainName => 'CORP', UserName => 'jdoe')),
	);
}

sub string_data { [el(FieldNo => $_[0], 'int'), el(DataValue => $_[1], 'string')] }
sub int_data    { [el(FieldNo => $_[0], 'int'), el(DataValue => $_[1], 'int')] }

sub build_portal {
	my @items = (
		el(WSIndexDataItem => [el(StringIndexData => string_data(1, 'hello'))]),
		el(WSIndexDataItem => [el(IntIndexData => int_data(2, 7))]),
		el(WSIndexDataItem => [el(DateIndexData => [el(FieldNo => 3, 'int'), el(DataISO8601Value => '2017-07-23', 'string')])]),
		el(WSIndexDataItem => [el(LogicalIndexData => [el(FieldNo => 4, 'int'), el(DataValue => 'true', 'boolean')])]),
		el(WSIndexDataItem => [el(MoneyIndexData => [el(FieldNo => 5, 'int'), el(DecimalDataValue => '1234.50', 'decimal')])]),
		el(WSIndexDataItem => [el(SingleKeywordData => [el(FieldNo => 6, 'int'), el(DataValue => 'Sales', 'string')])]),
		el(WSIndexDataItem => [el(TableIndexData => [
			el(FieldNo => 7, 'int'),
			el(DataValue => [
				el(WSTableFieldDataRow => [
					el(DataRowItems => [
						el(WSTableFieldDataRowItem => [el(StringIndexData => string_data(71, 'row-a'))]),
						el(WSTableFieldDataRowItem => [el(IntIndexData => int_data(72, 3))]),
					]),
					el(RowNo => 0, 'int'),
				]),
			]),
		])]),
	);
	return parameters(
		el(IsOneTimePwd => 'true', 'boolean'),
		el(PortalUser => [
			el(Conditions => [
				el(WSCondition => [el(Condition => '>=5', 'string'), el(FieldNoOrName => 'Amount', 'string'), el(TimeZone => 'UTC', 'string')]),
				el(WSCondition => [el(Condition => '2024-01-01', 'string'), el(FieldNoOrName => 'Created', 'string'), el(TimeZone => 'ServerLocal', 'string')]),
			]),
			el(Email => 'portal@example.com', 'string'),
			el(IndexDataItems => \@items),
			el(QueryNo => 12, 'int'),
			el(UserName => 'portal1', 'string'),
			el(UserPwd => 's3cret!', 'string'),
		]),
	);
}

sub build_invalid {
	return parameters(el(PortalUser => [
		el(CtgryNo => 0, 'int'),
		el(Email => 'x@example.com', 'string'),
		el(QueryNo => 0, 'int'),
	]));
}

# ---------------------------------------------------------------------------

# client: a SOAP::Lite client for the endpoint; $login is [user, password] or undef.
sub client {
	my ($endpoint, $login) = @_;
	my @transport = (timeout => $TIMEOUT);
	push @transport, credentials => [URI->new($endpoint)->host_port, $REALM, @$login] if $login;
	return SOAP::Lite->new(proxy => [$endpoint, @transport])
		->default_ns($MSG)
		->on_action(sub { "$MSG/IThereforeService/$_[1]" })
		->on_fault(sub { my ($soap, $res) = @_; return ref $res ? $res : die($soap->transport->status . "\n") });
}

sub main {
	my %opt = ('--soap' => '11', '--expected' => File::Spec->catfile(dirname(__FILE__), '..', 'expected.json'));
	while (@ARGV >= 2) { my $k = shift @ARGV; $opt{$k} = shift @ARGV }
	unless ($opt{'--endpoint'} && $opt{'--calls'} && $opt{'--soap'} =~ /^(11|12)$/) {
		print STDERR "usage: perl client.pl --endpoint URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]\n";
		exit 2;
	}
	my $ver = $opt{'--soap'};
	my $expected = do {
		open my $fh, '<:raw', $opt{'--expected'} or die "$opt{'--expected'}: $!";
		local $/;
		JSON::PP->new->utf8->decode(<$fh>);
	};

	# The SOAP version is a class setting: it must be chosen before the client exists.
	SOAP::Lite->soapversion($ver eq '12' ? '1.2' : '1.1');
	my $login = defined $opt{'--user'} ? [$opt{'--user'}, $opt{'--password'} // ''] : undef;
	my $client = client($opt{'--endpoint'}, $login);
	print "# endpoint: $opt{'--endpoint'} (SOAP::Lite $SOAP::Lite::VERSION, SOAP " . SOAP::Lite->soapversion . ")\n";

	my @ops = (['SaveOutOfOfficeInfoForUser', build_oof()], ['SavePortalUser', build_portal()]);
	for my $op (@ops) {
		my ($name, $params) = @$op;
		my $som = eval { $client->call($name => $params) };
		if (!$som) {
			fail("$name: call succeeds", $@ || 'no response');
		} elsif ($som->fault) {
			fail("$name: call succeeds", 'fault ' . ($som->faultcode // '') . ': ' . ($som->faultstring // ''));
		} else {
			ok("$name: call succeeds");
		}
	}

	my $ua = LWP::UserAgent->new(timeout => $TIMEOUT);
	my $res = $ua->get($opt{'--calls'});
	my $entries;
	if (!$res->is_success) {
		fail("call log fetched from $opt{'--calls'}", $res->status_line);
	} else {
		$entries = eval { JSON::PP->new->utf8->decode($res->content) };
		if (ref $entries ne 'ARRAY' || @$entries < 2) {
			fail('call log has at least 2 entries', $@ || substr($res->content, 0, 200));
			undef $entries;
		} else {
			ok('call log fetched (' . scalar(@$entries) . ' entries)');
		}
	}
	if ($entries) {
		my @last = @$entries[-2, -1];
		for my $i (0, 1) {
			my $name  = $ops[$i][0];
			my $entry = $last[$i];
			compare("$name: operation", $name, exists $entry->{operation} ? $entry->{operation} : $ABSENT);
			compare("$name: parameters", $expected->{$name}, exists $entry->{params} ? $entry->{params} : $ABSENT);
		}
	}

	my $desc = 'SavePortalUser with QueryNo=0, CtgryNo=0';
	my $som = eval { $client->call(SavePortalUser => build_invalid()) };
	if (!$som) {
		fail("$desc: returns a fault SOAP::SOM", $@ || 'no response');
	} elsif (!$som->fault) {
		fail("$desc: returns a fault SOAP::SOM", 'the call succeeded');
	} else {
		ok("$desc: returns a fault SOAP::SOM");
		# SOAP::SOM's faultcode/faultstring read the SOAP 1.1 paths only
		# (Fault/faultcode, Fault/faultstring); a SOAP 1.2 fault is read by path.
		my ($code, $string) = $ver eq '12'
			? ($som->valueof('/Envelope/Body/Fault/Code/Value') // '', $som->valueof('/Envelope/Body/Fault/Reason/Text') // '')
			: ($som->faultcode // '', $som->faultstring // '');
		print "#   faultcode=$code faultstring=$string\n";
		my $want = $ver eq '12' ? 'Sender' : 'Client';
		if ($code =~ /(?:^|:)\Q$want\E$/) { ok("$desc: faultcode is $want") }
		else                               { fail("$desc: faultcode is $want", "got '$code'") }
		if ($string =~ /QueryNo/) { ok("$desc: faultstring mentions QueryNo") }
		else                      { fail("$desc: faultstring mentions QueryNo", "faultstring was '$string'") }
	}

	if ($login) {
		my $desc = 'SaveOutOfOfficeInfoForUser with a wrong password';
		my $wrong = client($opt{'--endpoint'}, [$login->[0], "wrong-$login->[1]"]);
		my $som = eval { $wrong->call(SaveOutOfOfficeInfoForUser => build_oof()) };
		my $status = $wrong->transport->status // '';
		if (!$som) {
			fail("$desc: returns a fault SOAP::SOM (HTTP 401)", $@ || 'no response');
		} elsif (!$som->fault) {
			fail("$desc: returns a fault SOAP::SOM (HTTP 401)", 'the call succeeded');
		} elsif ($status !~ /^401\b/) {
			fail("$desc: returns a fault SOAP::SOM (HTTP 401)", "transport status $status");
		} else {
			ok("$desc: returns a fault SOAP::SOM (HTTP 401)");
			my $string = $ver eq '12' ? $som->valueof('/Envelope/Body/Fault/Reason/Text') : $som->faultstring;
			print "#   transport status=$status faultstring=" . ($string // '') . "\n";
		}
	}
}

eval { main(); 1 } or fail('unexpected exception', $@);
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
