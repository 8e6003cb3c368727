from nudgebot.cli import main

main()
