#include <iostream>

#include "rivetd/rivetd_application.hpp"

POCO_SERVER_MAIN(rivet::core::RivetdApplication)
