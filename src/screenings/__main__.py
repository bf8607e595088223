from screenings.cli import main

main()
