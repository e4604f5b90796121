namespace Oaims.Interaction;

/// <summary>Which neighbours join pixels into one component: the 4 edge neighbours, or those plus the 4 diagonals.</summary>
public enum Connectivity
{
    Four = 4,
    Eight = 8,
}
