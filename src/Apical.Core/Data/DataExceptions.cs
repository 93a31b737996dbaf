namespace Apical.Core.Data;

/// <summary>A data file is malformed. The message starts with the file path and says what is wrong.</summary>
public sealed class DataFormatException : IOException
{
    public string FilePath { get; }

    public DataFormatException(string filePath, string problem)
        : base($"{filePath}: {problem}")
    {
        FilePath = filePath;
    }
}

/// <summary>A data set could not be obtained. The message says what to install or which files to place where.</summary>
public sealed class DataFetchException : Exception
{
    public DataFetchException(string message, Exception? inner = null) : base(message, inner) { }
}
