namespace Apical.Core.Data;

/// <summary>The <c>mnist1d</c> data set of a run config: generated at 360 points from seed 42, then limited.</summary>
public static class Mnist1dData
{
    public static DataSplits Load(DataSpec spec)
    {
        var splits = Mnist1dGenerator.Generate();
        var train = splits.Train;
        var test = splits.Test;
        if (spec.TrainLimit is int tl && tl < train.Count) train = train.Slice(0, tl);
        if (spec.TestLimit is int sl && sl < test.Count) test = test.Slice(0, sl);
        return new DataSplits(train, null, test);
    }
}
