return Apical.Cli.ApicalCommand.Run(args, Console.Out, Console.Error);
