// Boost.URL compiled once, here.
#include <boost/url/src.hpp>
