# 3D Dice of pre-labels of pat0004 T1c against its expert label, and lesion-free slices they mark (as the volume section's PrelabelScore).
import sys, nibabel as nib, numpy as np
truth = np.asarray(nib.load(sys.argv[1]).dataobj) > 0
labels = np.asarray(nib.load(sys.argv[2]).dataobj) > 0
dice = 2 * (truth & labels).sum() / (truth.sum() + labels.sum())
lesion_free = [z for z in range(truth.shape[2]) if not truth[:, :, z].any()]
print(f"dice_3d {dice:.4f} lesion_free_slices_labelled {sum(labels[:, :, z].any() for z in lesion_free)} labelled_voxels {labels.sum()} truth_voxels {truth.sum()}")
