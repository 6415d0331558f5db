from evalcheck.cli import program

program()
