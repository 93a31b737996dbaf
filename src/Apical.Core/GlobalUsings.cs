global using Tensor = Apical.Core.Numerics.Tensor;
