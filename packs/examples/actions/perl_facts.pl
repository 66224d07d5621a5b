#!/usr/bin/env perl
# Prints one JSON object: the perl running this action, the arguments it received (named
# --label=... first, then the positional subject) and the pack and execution it runs for.
# Core perl only: JSON::PP ships with perl.
use strict;
use warnings;
use JSON::PP;

print JSON::PP->new->canonical->encode({
    perl_version => sprintf('%vd', $^V),
    interpreter  => $^X,
    args         => [@ARGV],
    pack         => $ENV{ST2_ACTION_PACK_NAME} // '',
    execution_id => $ENV{ST2_ACTION_EXECUTION_ID} // '',
}), "\n";
