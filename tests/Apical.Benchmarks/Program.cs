using Apical.Benchmarks;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "dfc-engines")
    DfcEngineThroughput.Run(args.Skip(1).ToArray());
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
