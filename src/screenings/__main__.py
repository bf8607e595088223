from screenings.launch import main

main()
