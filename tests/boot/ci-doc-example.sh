#!/bin/sh
# Runs on the nested host (boot-tests.spec, ci-doc-example): the commands of
# docs/ci.md's worked example, as written there (the lines between
# "<!-- ci-example:begin -->" and "<!-- ci-example:end -->", without the
# ``` fences), in an empty directory, with MINIVMM, KERNEL and INITRD set to
# this host's copies. The example ends with the job's status.
# Usage: ci-doc-example.sh CI_MD MINIVMM KERNEL INITRD
doc=$1
export MINIVMM="$2" KERNEL="$3" INITRD="$4"
rm -rf /tmp/ci-job
mkdir -p /tmp/ci-job
sed -n '/<!-- ci-example:begin -->/,/<!-- ci-example:end -->/p' "$doc" |
	grep -v '^<!--' | grep -v '^```' > /tmp/ci-job/job.sh
if [ ! -s /tmp/ci-job/job.sh ]; then
	echo "ci-doc-example: no example between the markers in $doc"
	exit 1
fi
cd /tmp/ci-job || exit 1
sh ./job.sh
s=$?
echo "ci-doc-example: the job's status is $s"
echo "--- console.log (last lines)"
tail -n 15 console.log 2>/dev/null
exit $s
