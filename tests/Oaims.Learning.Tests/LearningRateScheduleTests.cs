using Oaims.Learning.Training;

namespace Oaims.Learning.Tests;

public sealed class LearningRateScheduleTests
{
    static TrainingOptions Options => new() { Task = TinyModels.Task, Steps = 1000, MaxMinutes = 10, LearningRate = 1e-3 };

    [Fact]
    public void WithTimeToSpareTheRateDecaysAtSeventyAndNinetyPercentOfTheSteps()
    {
        Assert.Equal(1e-3, Options.LearningRateAt(699, seconds: 0), 12);
        Assert.Equal(3e-4, Options.LearningRateAt(700, seconds: 0), 12);
        Assert.Equal(1e-4, Options.LearningRateAt(900, seconds: 0), 12);
    }

    [Fact]
    public void WhenTheWallClockBudgetWillEndTheRunFirstTheRateDecaysOnTheTimeSpent()
    {
        // 10 minutes = 600 s; after 100 of 1000 steps the run has spent 70% and then 90% of its budget.
        Assert.Equal(1e-3, Options.LearningRateAt(100, seconds: 419), 12);
        Assert.Equal(3e-4, Options.LearningRateAt(100, seconds: 420), 12);
        Assert.Equal(1e-4, Options.LearningRateAt(100, seconds: 540), 12);
    }

    [Fact]
    public void ProgressIsTheLargerOfTheStepsDoneAndTheBudgetSpent()
    {
        Assert.Equal(0.5, Options.ProgressAt(500, seconds: 60), 12);
        Assert.Equal(0.5, Options.ProgressAt(100, seconds: 300), 12);
    }
}
