#!/bin/bash
# Probe of the proposal variant on tuning patients only: adapt on T1c of pat0001-0002 (every 3rd lesion slice), pi+mi at
# $1 with variant $2; pre-label pat0003 T1c (tuning patient) and pat0004 T1c; the adapted model on pat0004 FLAIR.
set -e
cd "$(git rev-parse --show-toplevel)"
export DOTNET_PROCESSOR_COUNT=1
B=src/Oaims.Cli/bin/Release/net10.0/oaims
O=runs/proposal-probe/$1-$2; rm -rf $O; mkdir -p $O/in3 $O/in4
$B eval --data ../shared/data/brats2013 --out $O/eval --model brain-flair --modality t1c --cases pat0001,pat0002 --lesion-slices-every 3 --strategy pi+mi --lr $1 --variant $2 --save-model $O/model > $O/eval.log 2>&1
cp ../shared/data/brats2013/pat0003/t1c.nii.gz $O/in3/; cp ../shared/data/brats2013/pat0004/t1c.nii.gz $O/in4/
$B prelabel --model $O/model --in $O/in3 --out $O/labels3 > $O/prelabel3.log 2>&1
$B prelabel --model $O/model --in $O/in4 --out $O/labels4 > $O/prelabel4.log 2>&1
$B eval --data ../shared/data/brats2013 --out $O/flair --model $O/model --modality flair --cases pat0004 --lesion-slices-every 1 --strategy none > $O/flair.log 2>&1
echo done $1 $2
