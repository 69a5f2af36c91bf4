from ambidex.cli import main

main()
