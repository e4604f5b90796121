#!/bin/bash
# Pre-labels of pat0003 and pat0004 T1c from checkpoint $1, scored; then the checkpoint frozen on pat0004 T1c with clicks.
cd "$(git rev-parse --show-toplevel)"
export DOTNET_PROCESSOR_COUNT=${THREADS:-1}
B=src/Oaims.Cli/bin/Release/net10.0/oaims
O=runs/score-$(basename $1); rm -rf $O; mkdir -p $O/in3 $O/in4
cp ../shared/data/brats2013/pat0003/t1c.nii.gz $O/in3/; cp ../shared/data/brats2013/pat0004/t1c.nii.gz $O/in4/
$B prelabel --model $1 --in $O/in3 --out $O/labels3 > $O/prelabel3.log 2>&1
$B prelabel --model $1 --in $O/in4 --out $O/labels4 > $O/prelabel4.log 2>&1
echo -n "$1 pat0003 "; /usr/bin/python3 docs/results/runs-2026-12-01/score_prelabels.py ../shared/data/brats2013/pat0003/seg.nii.gz $O/labels3/t1c.nii.gz
echo -n "$1 pat0004 "; /usr/bin/python3 docs/results/runs-2026-12-01/score_prelabels.py ../shared/data/brats2013/pat0004/seg.nii.gz $O/labels4/t1c.nii.gz
$B eval --data ../shared/data/brats2013 --out $O/t1c-pat0004 --model $1 --modality t1c --cases pat0004 --lesion-slices-every 1 --strategy none > $O/eval.log 2>&1
echo "$1 pat0004 T1c frozen: $(/usr/bin/python3 -c "import json;d=json.load(open('$O/t1c-pat0004/summary.json'));print(d['dice_at'], d['noc'])")"
