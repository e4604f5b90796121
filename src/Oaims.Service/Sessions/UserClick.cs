namespace Oaims.Service.Sessions;

/// <summary>A click as the user gave it: the voxel, the slice axis, and either positive/negative or an explicit class.</summary>
public readonly record struct UserClick(int Axis, int I, int J, int K, bool? Positive, int? Class);
